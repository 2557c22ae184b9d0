"""The back office's base admin classes: every ModelAdmin of the platform uses one.

- A rule's refusal (a PermissionDenied that carries a message, raised by a
  service) is shown on the page, told to the audit trail, and nothing is
  written: the admin's views run in a transaction, and the refusal leaves it.
  A bare PermissionDenied (Django's own permission checks) still answers 403.
- History pages are for reading. django-simple-history's history form view
  (…/history/<id>/) checks only the view permission and saves the form on POST,
  and its "revert" writes past every service: here revert is off for everyone
  and the form view answers POST with 405.
- Lists are scoped: every platform admin names `unit_path`, the lookup from its row to
  the org unit the row belongs to ("" for the org units themselves, None for rows of the
  whole platform: sectors, report types). The site (districts.admin_site) keeps an
  administrator of one district to that district's rows, in lists, pages and autocompletes.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from campaign.lib.signals import tell


def refusal_message(exc: PermissionDenied) -> str | None:
    return str(exc.args[0]) if exc.args and exc.args[0] else None


class RefusalMixin:
    def refused(self, request, exc: PermissionDenied, redirect_to: str):
        message = refusal_message(exc)
        self.message_user(request, message, messages.ERROR)
        opts = self.model._meta
        tell(
            "denied",
            request=request,
            detail={"reason": message, "model": f"{opts.app_label}.{opts.model_name}", "path": request.path},
        )
        return HttpResponseRedirect(redirect_to)

    def _changelist_url(self):
        opts = self.model._meta
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except PermissionDenied as exc:
            if refusal_message(exc) is None:
                raise
            return self.refused(request, exc, request.get_full_path())

    def delete_view(self, request, *args, **kwargs):
        try:
            return super().delete_view(request, *args, **kwargs)
        except PermissionDenied as exc:
            if refusal_message(exc) is None:
                raise
            return self.refused(request, exc, self._changelist_url())

    def changelist_view(self, request, *args, **kwargs):
        # Actions and bulk deletes run from here. An action this person is not
        # offered does nothing; the attempt is still told.
        action = request.POST.get("action") if request.method == "POST" else None
        if action and action not in self.get_actions(request):
            opts = self.model._meta
            tell(
                "denied",
                request=request,
                detail={"action": action, "model": f"{opts.app_label}.{opts.model_name}", "path": request.path},
            )
        try:
            return super().changelist_view(request, *args, **kwargs)
        except PermissionDenied as exc:
            if refusal_message(exc) is None:
                raise
            return self.refused(request, exc, request.get_full_path())


class _TypedValuesOnly:
    """Django's autocomplete widget looks the submitted value up as a key to draw the form
    again: a value that is no key of the model (typed by hand, " ", "abc") raised ValueError.
    Such a value is left out of the lookup; the form's own validation says it is not a choice."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        valid = []
        for item in value:
            try:
                target.to_python(item)
            except (ValidationError, ValueError, TypeError):
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class _SafeAutocompleteSelect(_TypedValuesOnly, AutocompleteSelect):
    pass


class _SafeAutocompleteSelectMultiple(_TypedValuesOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    """Every admin form and inline of the platform draws its autocomplete fields safely."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AutocompleteSelect:
            field.widget.__class__ = _SafeAutocompleteSelect
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AutocompleteSelectMultiple:
            field.widget.__class__ = _SafeAutocompleteSelectMultiple
        return field


class ScopedListMixin:
    """Rows limited to the administrator's units, by the site's rule."""

    unit_path: str | None  # declared by every platform admin: no default, so none is forgotten

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scoped = getattr(self.admin_site, "scoped", None)
        return scoped(request, queryset, self.unit_path) if scoped else queryset


class PlatformInline(SafeAutocompleteMixin, admin.TabularInline):
    """The platform's inlines."""


def _object_id_or_404(model, object_id: str):
    """The key in an admin address, parsed as the model's key, or 404 (not a 500) for any other text."""
    try:
        return model._meta.pk.to_python(unquote(object_id))
    except (ValidationError, ValueError, TypeError):
        raise Http404 from None


class PlatformAdmin(ScopedListMixin, SafeAutocompleteMixin, RefusalMixin, admin.ModelAdmin):
    """For models without history."""


class HistoryAdmin(ScopedListMixin, SafeAutocompleteMixin, RefusalMixin, SimpleHistoryAdmin):
    """For models with history: the history is read, never reverted or saved."""

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_view(self, request, object_id, extra_context=None):
        _object_id_or_404(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _object_id_or_404(self.model, object_id)
        if request.method not in ("GET", "HEAD"):
            opts = self.model._meta
            tell(
                "denied",
                request=request,
                detail={
                    "reason": "history form is read-only",
                    "model": f"{opts.app_label}.{opts.model_name}",
                    "path": request.path,
                },
            )
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyMixin:
    """Shown in the back office, written only on the platform's own screens or by its loaders."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
