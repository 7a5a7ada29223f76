"""A drop-down list rendered in Python rather than by a template for each option.

Django's Select renders one template per option: 1.6 ms for a list of twenty categories, on a
page (the review queue) with a budget of 30 ms in all. This one writes the same markup in one
pass; it has no option groups, which none of our lists need.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

_SELECTED = mark_safe(" selected")  # noqa: S308 - a constant


class ListSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, _SELECTED if str(key) in chosen else "", label) for key, label in self.choices),
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, options)
