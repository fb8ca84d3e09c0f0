from crispy_forms.helper import FormHelper
from django import forms

from plans.models import ActionUpdate
from pmf.forms import VersionField


class ActionUpdateForm(forms.Form):
    as_of = forms.DateField(label="Position as at", widget=forms.DateInput(attrs={"type": "date"}))
    progress_pct = forms.IntegerField(label="Progress (%)", min_value=0, max_value=100, required=False)
    forecast_end = forms.DateField(label="Forecast end date", required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text="When you now expect the action to finish.")
    completed_on = forms.DateField(label="Completed on", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    no_longer_viable = forms.BooleanField(label="No longer viable", required=False)
    no_longer_viable_reason = forms.CharField(label="Why it is no longer viable", required=False,
                                              widget=forms.Textarea(attrs={"rows": 2}))
    commentary = forms.CharField(label="Progress commentary", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = VersionField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @staticmethod
    def initial_for(update: ActionUpdate | None, action, today) -> dict:
        if update is None:
            return {"as_of": today, "progress_pct": action.progress_pct, "forecast_end": action.forecast_end}
        return {k: getattr(update, k) for k in ("as_of", "progress_pct", "forecast_end", "completed_on",
                                                "no_longer_viable", "no_longer_viable_reason", "commentary",
                                                "version")}


class DecisionForm(forms.Form):
    """The board's decision at a decision point (A6)."""

    decision = forms.ChoiceField(
        label="Decision", widget=forms.RadioSelect,
        choices=[("continue", "Continue"), ("continue_with_changes", "Continue with changes"), ("stop", "Stop")],
        help_text="Stop ends the project; continue with changes needs the changes set out in the reason.",
        error_messages={"required": "Decision: choose stop, continue, or continue with changes.",
                        "invalid_choice": "Decision: choose stop, continue, or continue with changes."})
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="Why the board decided this. It is shown on the project page and kept in "
                                       "the record of changes.",
                             error_messages={"required": "Reason: say why the board decided this."})
    version = VersionField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
