from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm

SIGN_IN_ERROR = "The email address or password is not right. Check them and try again."


class StyledWidgets:
    """Bootstrap's input class on every field, as the console's and the recording form's have."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class EmailAuthenticationForm(StyledWidgets, AuthenticationForm):
    """Sign in with an email address. The error never says whether the address exists."""

    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {"invalid_login": SIGN_IN_ERROR, "inactive": SIGN_IN_ERROR}

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class CodeForm(StyledWidgets, forms.Form):
    """A six-digit code from the authenticator app, or one of the person's recovery codes."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The six digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the code from your authenticator app."},
    )

    ERRORS = {
        "wrong": "That code is not right, or it has been used already. Enter the code your app shows now.",
        "throttled": "Too many wrong codes. Wait a minute, then enter the code your app shows now.",
    }

    def error_for(self, reason: str) -> str:
        return self.ERRORS.get(reason, self.ERRORS["wrong"])


class PasswordResetByEmailForm(StyledWidgets, forms.Form):
    """Ask for a reset link. The page that follows reads the same whether or not the email has an account;
    the link itself is sent by the worker (accounts.services.password_reset)."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": "Enter the email address you sign in with.",
            "invalid": "Enter an email address like name@school.example.",
        },
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class EnrolmentCodeForm(CodeForm):
    """The first code from a newly set-up authenticator app (recovery codes come after)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "The six digits your authenticator app shows now for Vigil."


class StyledPasswordChangeForm(StyledWidgets, PasswordChangeForm):
    """Django's change-your-password form (current password, then the new one twice)."""


class StyledSetPasswordForm(StyledWidgets, SetPasswordForm):
    """Django's set-a-new-password form, reached from an emailed reset link."""


class AlertEmailsForm(forms.Form):
    """Whether routine alerts email the person; urgent alerts and escalations always do."""

    emails_routine_alerts = forms.TypedChoiceField(
        label="Which alerts should Vigil email you?",
        choices=[
            ("yes", "Every alert: new concerns to review as well as urgent ones"),
            ("no", "Only urgent alerts and escalations"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="Every alert is listed on your Alerts page either way.",
        error_messages={"required": "Choose which alerts Vigil should email you."},
    )
