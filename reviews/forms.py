from django import forms
from django.utils.translation import gettext_lazy as _


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2, "required": True})
    )
    segment_index = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    moment_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
