import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from campaign.lib.widgets import DatePicker
from districts.filters import PlaceFilterSet
from districts.models import OrgUnit

# Object types the trail names: the platform's own models.
AUDITED_APPS = ("districts", "risks", "hazards", "campaign", "reporting", "auth", "axes", "otp_totp", "otp_static")


class AuditFilter(PlaceFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AuditEvent.Kind.choices, empty_label=_("All"))
    user = django_filters.CharFilter(label=_("User name"), field_name="username", lookup_expr="iexact")
    unit = django_filters.ModelChoiceFilter(
        label=_("Org unit"), queryset=OrgUnit.objects.none(), method="under_unit", empty_label=_("All")
    )
    content_type = django_filters.ModelChoiceFilter(
        label=_("Object type"),
        queryset=ContentType.objects.filter(app_label__in=AUDITED_APPS).order_by("app_label", "model"),
        empty_label=_("All"),
    )
    object_id = django_filters.CharFilter(label=_("Object id"), field_name="object_id")
    since = django_filters.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte", widget=DatePicker())
    until = django_filters.DateFilter(label=_("To"), field_name="at", lookup_expr="date__lte", widget=DatePicker())

    class Meta:
        model = AuditEvent
        fields = ["q", "kind", "user", "unit", "content_type", "object_id", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The auditor reads the trail of the whole platform, every kind of unit.
        self.filters["unit"].queryset = OrgUnit.objects.all()
        self.filters["content_type"].field.label_from_instance = lambda ct: f"{ct.name}"

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(object_repr__icontains=value)
            | Q(path__icontains=value)
            | Q(ip=value if _is_ip(value) else None)
        )


def _is_ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
