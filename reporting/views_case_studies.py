"""Case studies of staff work (D6, F2): anyone in the council shares one; the performance unit approves it (and
publishes it in the annual report) or decides not to use it, saying why."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from plans.models import PlanItem
from pmf import access, clock
from pmf.downloads import file_download
from pmf.errors import Conflict, Refused
from pmf.forms import VersionField, show_refusal
from pmf.models import Council, FinancialYear, Team
from pmf.pagination import paginate
from pmf.periods import period_for_date
from reporting import case_studies
from reporting.models import CaseStudy, CaseStudyStatus


class CaseStudyForm(forms.ModelForm):
    class Meta:
        model = CaseStudy
        fields = ["title", "story", "team", "priority", "financial_year", "quarter", "picture", "picture_alt"]
        widgets = {"story": forms.Textarea(attrs={"rows": 8})}
        field_classes = {"picture": forms.FileField}  # read by pmf.uploads below, not by the image field's guess
        help_texts = {"quarter": "The quarter it happened in, if it was one quarter's work (1 is April to June).",
                      "picture": "Optional: a photograph or drawing (JPEG, PNG, GIF or WebP, up to 5 MB)."}

    def __init__(self, *args, council: Council, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(service__directorate__councils=council).order_by("name")
        self.fields["team"].initial = user.teams.filter(service__directorate__councils=council).first()
        self.fields["priority"].queryset = PlanItem.objects.filter(
            plan__council=council, plan__level__rank=1, parent__isnull=True).order_by("position", "ref")
        self.fields["priority"].label = "Council Plan priority it serves"
        self.fields["financial_year"].queryset = FinancialYear.objects.order_by("-start_year")
        self.fields["financial_year"].initial = period_for_date(frequency="annual", on=clock.today())[0]
        self.fields["picture"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.gif,.webp"
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_picture(self):
        picture = self.cleaned_data.get("picture")
        if picture and hasattr(picture, "content_type"):  # a new upload
            try:
                case_studies.check_picture(picture)
            except Refused as refused:
                raise forms.ValidationError(refused.message_dict["picture"]) from None
        return picture


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Do not use")],
                                 widget=forms.RadioSelect)
    publish = forms.BooleanField(label="Publish it in the public annual report", required=False, initial=True)
    review_note = forms.CharField(label="Note to the author", max_length=300, required=False,
                                  help_text="Needed when it is not used.")
    version = VersionField()


def _council(request: HttpRequest) -> Council:
    councils = access.councils_for(request.user).order_by("name")
    council = councils.first()
    if council is None:
        raise PermissionDenied("Only people of a council share its case studies.")
    return council


@login_required
def case_study_list(request: HttpRequest) -> HttpResponse:
    """My case studies; for the performance unit, every one of its councils', those waiting first."""
    studies = (access.restrict(CaseStudy.objects.all(), request.user)
               .select_related("council", "author", "team", "priority", "financial_year"))
    configure = [pk for pk in access.council_ids_for(request.user) if access.can_configure(request.user, pk)]
    if not configure:
        studies = studies.filter(author=request.user)
    status = request.GET.get("status", "")
    if status in CaseStudyStatus.values:
        studies = studies.filter(status=status)
    page, querystring = paginate(request, studies.order_by("-status", "-created_at"), 20)
    return render(request, "reporting/case_studies.html", {
        "nav": "home", "page_obj": page, "querystring_without_page": querystring, "reviewer": bool(configure),
        "status": status, "statuses": CaseStudyStatus.choices})


@login_required
def case_study_new(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    form = CaseStudyForm(request.POST or None, request.FILES or None, council=council, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            picture = data.pop("picture", None) or None
            try:
                case_studies.tell(user=request.user, council=council, data=data, picture=picture)
            except Refused as refused:
                show_refusal(form, refused)
            else:
                messages.success(request, "Thank you: your case study is with the performance unit, who will "
                                          "approve it for the annual report or say why not.")
                return redirect("reporting:case_studies")
        status = 400
    return render(request, "reporting/case_study_form.html", {"nav": "home", "form": form, "council": council},
                  status=status)


def _study(request: HttpRequest, pk: int) -> CaseStudy:
    return get_object_or_404(access.restrict(CaseStudy.objects.all(), request.user)
                             .select_related("council", "author", "team", "priority"), pk=pk)


@login_required
def case_study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A case study; the performance unit reviews it here."""
    study = _study(request, pk)
    reviewer = access.can_configure(request.user, study.council_id)
    form = ReviewForm(request.POST or None, initial={"version": study.version, "decision": "approve"})
    status = 200
    if request.method == "POST":
        if not reviewer:
            raise PermissionDenied("Only the performance unit reviews case studies.")
        if form.is_valid():
            d = form.cleaned_data
            try:
                case_studies.review(user=request.user, study=study, version=d["version"],
                                    approve=d["decision"] == "approve", publish=d["publish"], note=d["review_note"])
            except Refused as refused:
                show_refusal(form, refused)
            except Conflict as conflict:
                messages.error(request, conflict.args[0])
                return redirect("reporting:case_study", pk=study.pk)
            else:
                messages.success(request, f"“{study.title}” reviewed.")
                return redirect("reporting:case_studies")
        status = 400
    return render(request, "reporting/case_study.html", {"nav": "home", "study": study, "reviewer": reviewer,
                                                         "form": form}, status=status)


@login_required
def case_study_picture(request: HttpRequest, pk: int) -> HttpResponse:
    study = _study(request, pk)
    if not study.picture:
        raise Http404("This case study has no picture.")
    try:
        handle = study.picture.open("rb")
    except FileNotFoundError:
        raise Http404("The picture is no longer in storage.") from None
    name = study.picture.name.rsplit("/", 1)[-1]
    kind = {"png": "image/png", "gif": "image/gif", "webp": "image/webp"}.get(name.rsplit(".", 1)[-1].lower(),
                                                                             "image/jpeg")
    response = file_download(handle, filename=name, content_type=kind)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
