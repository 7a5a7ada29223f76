"""Forms of the administrator's records console: MIS imports and categories."""

from django import forms

from concerns.models import Category


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class ImportForm(forms.Form):
    """A CSV file from the MIS, for the site named in the address."""

    file = forms.FileField(
        label="CSV file from your MIS",
        error_messages={"required": "Choose the CSV file to import.", "empty": "The file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ChildrenImportForm(ImportForm):
    file = forms.FileField(
        label="CSV file from your MIS",
        help_text="Columns: UPN, legal forename, legal surname, preferred forename, date of birth "
        "(dd/mm/yyyy or yyyy-mm-dd), year group. The first row names the columns.",
        error_messages={"required": "Choose the CSV file to import.", "empty": "The file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    is_full = forms.BooleanField(
        label="This file is the whole roll",
        required=False,
        initial=False,
        help_text="Tick this only for a full export of the roll: children on the roll who are not in the file are "
        "then marked as left (never deleted). If more than five would be, you are asked to confirm how many.",
    )


class StaffImportForm(ImportForm):
    file = forms.FileField(
        label="CSV file from your MIS",
        help_text="Columns: email, full name, role (staff, deputy DSL or DSL), and optionally end date "
        "(dd/mm/yyyy or yyyy-mm-dd). The first row names the columns.",
        error_messages={"required": "Choose the CSV file to import.", "empty": "The file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class LeaversRestoreForm(forms.Form):
    """The tick that confirms putting an import's leavers back on the roll."""

    confirm = forms.BooleanField(required=True)


class CategoryForm(forms.ModelForm):
    """A category's name, one line of guidance for the recording form, and its flags."""

    class Meta:
        model = Category
        fields = ["name", "guidance", "is_restricted", "is_low_level"]
        labels = {
            "guidance": "Guidance (one line, shown on the recording form)",
            "is_restricted": "Restricted",
            "is_low_level": "Low-level concern",
        }
        help_texts = {
            "is_restricted": "Concerns in a restricted category are seen only by DSLs, auditors and the author, "
            "unless shared. Ticking it restricts every concern already in the category; unticking it applies only "
            "to concerns recorded from now on (a DSL lifts the restriction of an existing concern on that concern).",
            "is_low_level": "Low-level concerns about adults (KCSIE part four).",
        }
        error_messages = {
            "name": {"required": "Enter a name.", "unique": "There is already a category with this name."},
            "guidance": {"required": "Enter one line of guidance for staff."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        clash = Category.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("There is already a category with this name.")
        return name
