class NoStoreForSignedInMiddleware:
    """No signed-in page is kept in a browser or proxy cache: a shared school computer must
    not show the next person what the last one read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
