"""The district's structure: the org tree, the seven sectors, sites, people.

Every piece of campaign data knows its org unit (and sector); who may see it
is decided by districts.scoping from the user's memberships.
"""

import datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet
from simple_history.models import HistoricalRecords

from districts.fields import CodeField, CreditCodeField
from districts.scoping import ScopedQuerySet
from districts.validators import validate_credit_code


class PasswordStampingUserManager(UserManager):
    def _create_user_object(self, username, email, password, **extra_fields):
        # Through set_password, so that a new user's expiry clock starts too.
        user = super()._create_user_object(username, email, None, **extra_fields)
        if password is not None:
            user.set_password(password)
        return user


class User(AbstractUser):
    # Chinese names are not split into given and family names.
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # Passwords expire (districts.SecurityPolicy) and one set by an administrator
    # must be changed at the next sign-in.
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects = PasswordStampingUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def set_password(self, raw_password):
        # The one place a password is set (forms, admin, commands, create_user), so the
        # expiry clock always starts from the last change.
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def check_password(self, raw_password):
        # A correct password may be re-hashed (a stronger work factor) through set_password:
        # the same password, so the expiry clock keeps running.
        changed_at = self.password_changed_at
        try:
            return super().check_password(raw_password)
        finally:
            self.password_changed_at = changed_at

    async def acheck_password(self, raw_password):
        changed_at = self.password_changed_at
        try:
            return await super().acheck_password(raw_password)
        finally:
            self.password_changed_at = changed_at


class OrgUnitQuerySet(TreeQuerySet, ScopedQuerySet):
    unit_lookup = ""
    sector_lookup = None


class OrgUnit(MPTTModel):
    class Kind(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        STREET = "street", _("Street")
        COMMUNITY = "community", _("Community")
        GRID = "grid", _("Grid")
        DEPARTMENT = "department", _("Department")
        OFFICE = "office", _("Creation office")
        TEAM = "team", _("Inspection team")
        LEADING_GROUP = "leading_group", _("Leading group")

    # Which kind of unit may sit under which. A district's departments, its
    # creation office, inspection teams and leading group hang off the district.
    ALLOWED_PARENTS = {
        Kind.CITY: set(),
        Kind.DISTRICT: {Kind.CITY},
        Kind.STREET: {Kind.DISTRICT},
        Kind.COMMUNITY: {Kind.STREET},
        Kind.GRID: {Kind.COMMUNITY},
        Kind.DEPARTMENT: {Kind.DISTRICT},
        # A city has its own creation office and leading group, which see every district.
        Kind.OFFICE: {Kind.DISTRICT, Kind.CITY},
        Kind.TEAM: {Kind.DISTRICT},
        Kind.LEADING_GROUP: {Kind.DISTRICT, Kind.CITY},
    }
    # Units where places are: risks and hazards sit in one of these; sites in
    # one below the district.
    PLACE_KINDS = {Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY, Kind.GRID}
    SITE_KINDS = {Kind.STREET, Kind.COMMUNITY, Kind.GRID}

    code = CodeField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z][0-9A-Za-z-]*$",
                _("A code holds digits, Latin letters and hyphens only."),
            )
        ],
        help_text=_("The statistical division code where one exists, e.g. 330103001."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Inspection teams cover the units they are assigned to.
    assigned_units = models.ManyToManyField(
        "self",
        verbose_name=_("assigned units"),
        symmetrical=False,
        blank=True,
        related_name="assigned_teams",
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    objects = TreeManager.from_queryset(OrgUnitQuerySet)()
    history = HistoricalRecords(excluded_fields=["lft", "rght", "tree_id", "level"], m2m_fields=[assigned_units])

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(dissolved_on__gte=models.F("established_on")),
                name="orgunit_dissolved_after_established",
            ),
        ]

    def __str__(self):
        return self.name

    def unique_error_message(self, model_class, unique_check):
        if unique_check == ("code",):
            return ValidationError(
                _("The code %(code)s is already used by another unit."), code="unique", params={"code": self.code}
            )
        return super().unique_error_message(model_class, unique_check)

    def clean(self):
        allowed = self.ALLOWED_PARENTS.get(self.kind, set())
        if self.parent_id is None:
            if allowed:
                raise ValidationError({"parent": _("A unit of this kind needs a parent unit.")})
        elif self.parent.kind not in allowed:
            raise ValidationError(
                {
                    "parent": _("A %(kind)s cannot sit under a %(parent_kind)s.")
                    % {"kind": self.get_kind_display(), "parent_kind": self.parent.get_kind_display()}
                }
            )
        if self.pk and self.parent_id and self.parent.is_descendant_of(self, include_self=True):
            raise ValidationError({"parent": _("A unit cannot be moved under itself.")})

    @property
    def is_place(self) -> bool:
        return self.kind in self.PLACE_KINDS

    @property
    def street(self) -> "OrgUnit | None":
        """The street this unit is in (itself for a street); load parents with select_related."""
        hops = {self.Kind.STREET: 0, self.Kind.COMMUNITY: 1, self.Kind.GRID: 2}.get(self.kind)
        if hops is None:
            return None
        unit = self
        for _hop in range(hops):
            unit = unit.parent
        return unit


class Sector(models.Model):
    """One of the seven priority sectors (七大重点领域)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    name_en = models.CharField(_("English name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("priority sector")
        verbose_name_plural = _("priority sectors")
        ordering = ["order"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


class SectorLead(models.Model):
    """The department that leads a sector in one district, and sees it district-wide."""

    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="sector_leads",
        limit_choices_to={"kind": OrgUnit.Kind.DISTRICT},
    )
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT)
    department = models.ForeignKey(
        OrgUnit,
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="led_sectors",
        limit_choices_to={"kind": OrgUnit.Kind.DEPARTMENT},
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sector lead department")
        verbose_name_plural = _("sector lead departments")
        constraints = [
            models.UniqueConstraint(fields=["district", "sector"], name="one_lead_department_per_sector"),
        ]

    def __str__(self):
        return f"{self.district} · {self.sector} · {self.department}"

    def clean(self):
        if self.department_id and self.district_id and self.department.parent_id != self.district_id:
            raise ValidationError({"department": _("The lead department must belong to this district.")})


class SiteQuerySet(ScopedQuerySet):
    unit_lookup = "unit__"
    sector_lookup = "sector"


class Site(models.Model):
    """An enterprise or premises (生产经营单位/场所) where risks and hazards sit."""

    class Category(models.TextChoices):
        ENTERPRISE = "enterprise", _("Business")
        CROWDED_PLACE = "crowded_place", _("Crowded place")
        THREE_IN_ONE = "three_in_one", _("Three-in-one premises")
        RENTAL_HOUSING = "rental_housing", _("Rental housing")
        CONSTRUCTION_SITE = "construction_site", _("Construction site")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    credit_code = CreditCodeField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="sites")
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, null=True, blank=True, related_name="sites"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.ENTERPRISE)
    address = models.CharField(_("address"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_major_hazard_source = models.BooleanField(_("major hazard source"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SiteQuerySet.as_manager()
    history = HistoricalRecords()

    # What a user fills in; the rest is kept by the platform.
    EDITABLE_FIELDS = (
        "name",
        "credit_code",
        "unit",
        "sector",
        "category",
        "address",
        "legal_representative",
        "contact_person",
        "contact_phone",
        "is_major_hazard_source",
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["unit", "sector"]),
            # Lists are sorted by name: the first page of 50,000 sites reads 50 index entries.
            models.Index(fields=["name", "id"], name="site_name_order"),
        ]

    def __str__(self):
        return self.name

    def unique_error_message(self, model_class, unique_check):
        if unique_check == ("credit_code",):
            # Whose code it is may be outside the writer's scope: SiteForm names the site when it is not.
            return ValidationError(
                _("The unified social credit code %(code)s is already used by another site."),
                code="unique",
                params={"code": self.credit_code},
            )
        return super().unique_error_message(model_class, unique_check)

    def clean(self):
        if self.unit_id and self.unit.kind not in OrgUnit.SITE_KINDS:
            raise ValidationError({"unit": _("A site sits in a street, community or grid.")})


class Role(models.TextChoices):
    STREET_STAFF = "street_staff", _("Street staff")
    COMMUNITY_STAFF = "community_staff", _("Community / grid staff")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    INSPECTOR = "inspector", _("Inspector")
    REVIEWER = "reviewer", _("Creation-office reviewer")
    LEADER = "leader", _("Leading-group member")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


K = OrgUnit.Kind
# Where each role's membership may sit.
ROLE_UNIT_KINDS = {
    Role.STREET_STAFF: {K.STREET},
    Role.COMMUNITY_STAFF: {K.COMMUNITY, K.GRID},
    Role.DEPARTMENT_STAFF: {K.DEPARTMENT},
    Role.INSPECTOR: {K.TEAM},
    Role.REVIEWER: {K.OFFICE},
    Role.LEADER: {K.LEADING_GROUP, K.DISTRICT},
    Role.SYSTEM_ADMIN: {K.CITY, K.DISTRICT},
    Role.SECURITY_ADMIN: {K.CITY, K.DISTRICT},
    Role.AUDIT_ADMIN: {K.CITY, K.DISTRICT},
}
ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
# Roles that sign in with a second factor and are signed out sooner when idle.
PRIVILEGED_ROLES = ADMIN_ROLES | {Role.REVIEWER}


class Membership(models.Model):
    """A person's place in the tree: one unit, one role. A person may hold several."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="one_membership_per_user_unit_role"),
        ]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    def clean(self):
        # An unknown role is reported by the field's choices; it has no allowed kinds to check.
        if self.unit_id and self.role in Role.values:
            allowed = ROLE_UNIT_KINDS[Role(self.role)]
            if self.unit.kind not in allowed:
                raise ValidationError(
                    {
                        "unit": _("A %(role)s belongs to a unit of kind: %(kinds)s.")
                        % {
                            "role": self.get_role_display(),
                            "kinds": "、".join(str(K(k).label) for k in sorted(allowed)),
                        }
                    }
                )


class UnitBoundary(models.Model):
    """An org unit's boundary as GeoJSON (a Polygon or MultiPolygon geometry, WGS 84),
    loaded by an administrator, for the four-colour distribution map."""

    unit = models.OneToOneField(OrgUnit, verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="boundary")
    geometry = models.JSONField(_("boundary (GeoJSON geometry)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit boundary")
        verbose_name_plural = _("unit boundaries")

    def __str__(self):
        return str(self.unit)

    def clean(self):
        geometry = self.geometry if isinstance(self.geometry, dict) else {}
        if geometry.get("type") == "Feature":
            geometry = geometry.get("geometry") or {}
            self.geometry = geometry
        if geometry.get("type") not in {"Polygon", "MultiPolygon"} or not geometry.get("coordinates"):
            raise ValidationError({"geometry": _("A boundary is a GeoJSON Polygon or MultiPolygon.")})


class SecurityPolicy(models.Model):
    """Sign-in security, kept by the security administrator: one row (districts.policy reads it).

    Until the first save the defaults come from the environment (settings.SECURITY_POLICY_DEFAULTS)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    password_min_length = models.PositiveSmallIntegerField(
        _("minimum password length"), default=10, validators=[MinValueValidator(8), MaxValueValidator(64)]
    )
    password_expiry_days = models.PositiveSmallIntegerField(
        _("password expires after (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A password older than this must be changed at the next sign-in."),
    )
    lockout_failure_limit = models.PositiveSmallIntegerField(
        _("failed sign-ins before an account is locked"),
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(10)],
        help_text=_("Counted for the account from every address."),
    )
    lockout_address_accounts = models.PositiveSmallIntegerField(
        _("accounts one address may fail on before it is locked"),
        default=10,
        validators=[MinValueValidator(3), MaxValueValidator(100)],
        help_text=_(
            "Stops one password being tried over many accounts. A whole office may sign in "
            "from one address: leave room for its people's own mistakes."
        ),
    )
    lockout_cooloff_minutes = models.PositiveSmallIntegerField(
        _("lockout lasts (minutes)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    idle_minutes_privileged = models.PositiveSmallIntegerField(
        _("idle sign-out for administrators and reviewers (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    idle_minutes = models.PositiveSmallIntegerField(
        _("idle sign-out for everyone else (minutes)"),
        default=120,
        validators=[MinValueValidator(5), MaxValueValidator(720)],
    )
    session_hours = models.PositiveSmallIntegerField(
        _("longest session (hours)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("A session ends this long after signing in, however active it is."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_security_policy")]

    def __str__(self):
        return str(_("Security policy"))

    def clean(self):
        longest = (self.session_hours or 0) * 60
        for name in ("idle_minutes_privileged", "idle_minutes"):
            if (getattr(self, name) or 0) > longest:
                raise ValidationError({name: _("The idle sign-out cannot be longer than the longest session.")})

    def idle_limit(self, *, privileged: bool) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.idle_minutes_privileged if privileged else self.idle_minutes)

    @property
    def session_limit(self) -> datetime.timedelta:
        return datetime.timedelta(hours=self.session_hours)

    @property
    def cooloff(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.lockout_cooloff_minutes)
