from django.urls import path

from concerns.views import dashboard, ledger, restriction, review, search, shares
from concerns.views import recording as views

app_name = "concerns"

urlpatterns = [
    path("", views.home, name="home"),
    path("children/", views.child_search, name="child_search"),
    path("children/lookup/", views.child_lookup, name="child_lookup"),
    path("search/", search.concern_search, name="search"),
    path("children/<int:pk>/", ledger.child_detail, name="child"),
    path("concerns/new/", views.concern_new, name="new"),
    path("concerns/new/<uuid:key>/", views.concern_record, name="record"),
    path("concerns/drafts/", views.draft_list, name="drafts"),
    path("concerns/drafts/<uuid:key>/autosave/", views.draft_autosave, name="draft_autosave"),
    path("concerns/drafts/<uuid:key>/discard/", views.draft_delete, name="draft_discard"),
    path("concerns/mine/", views.my_concerns, name="mine"),
    path("concerns/<int:pk>/", views.concern_detail, name="detail"),
    path("concerns/<int:pk>/receipt/", views.concern_receipt, name="receipt"),
    path("concerns/<int:pk>/addenda/", views.concern_addendum, name="addendum"),
    path("attachments/<uuid:uid>/", views.attachment_download, name="attachment"),
    path("concerns/<int:pk>/share/", shares.concern_share, name="share_concern"),
    path("concerns/<int:pk>/restriction/lift/", restriction.restriction_lift, name="restriction_lift"),
    path("children/<int:pk>/share/", shares.child_share, name="share_child"),
    path("shares/<int:pk>/end/", shares.share_end, name="share_end"),
    path("shared/", shares.shared_with_me, name="shared"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/<int:pk>/claim/", review.review_claim, name="review_claim"),
    path("review/<int:pk>/release/", review.review_release, name="review_release"),
    path("review/<int:pk>/priority/", review.review_priority, name="review_priority"),
    path("review/<int:pk>/decision/", review.review_decision, name="review_decision"),
    path("review/<int:pk>/owner/", review.review_owner, name="review_owner"),
    path("review/<int:pk>/close/", review.review_close, name="review_close"),
]
