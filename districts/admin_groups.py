"""Three-role separation for the back office: each admin role is a group with
just the permissions of that role. Kept in step after every migrate.

The groups decide which pages an admin opens; what a write may do is decided
again by districts.authority in the services, whatever the groups say."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from districts.models import Role

ALL = ("add", "change", "delete", "view")
GROUP_PERMISSIONS = {
    # Users and the org tree.
    # Accounts without an admin role only (no passwords: a new account has none
    # until the security admin's reset); units are dissolved, not deleted; sites
    # through districts.services; sectors and their leads are the plan's.
    Role.SYSTEM_ADMIN: {
        "districts": {
            "user": ("add", "change", "view"),
            "orgunit": ("add", "change", "view"),
            "site": ("add", "change", "view"),
            "sector": ("view",),
            "sectorlead": ("view",),
            "membership": ("view",),
            "unitboundary": ALL,
        },
        "campaign": {"campaign": ALL, "target": ALL},
        "jobs": {"job": ("view",), "jobheartbeat": ("view",)},
        # Risks are kept on the register's screens, through risks.services.
        "risks": {
            "assessmentmethod": ("view",),
            "methodversion": ("add", "view"),
            "controlrule": ("change", "view"),
            # Whether a risk owned below its control level is refused or only flagged.
            "controlpolicy": ("add", "change", "view"),
            "riskpoint": ("view",),
        },
        # Report types are data the system admin keeps; periods follow from them.
        "reporting": {"reporttype": ("add", "change", "view"), "period": ("view",)},
        # The reminder rules are shipped (one per subject) and changed, never added or deleted;
        # the sent log and the e-mail outbox are read, to see what was sent and what failed (a
        # failed e-mail is retried by the outbox's action, which checks the role itself).
        "notifications": {"reminderrule": ("change", "view"), "reminder": ("view",), "emailoutbox": ("view",)},
        # How the creation office numbers its bulletins (下创建办〔2026〕N号); the bulletins are read.
        "oversight": {"bulletinseries": ("add", "change", "view"), "bulletin": ("view",), "bulletinversion": ("view",)},
    },
    # Roles, sign-in security and lockouts. Users are read (to grant roles and
    # reset passwords through their own actions), never changed in a form;
    # memberships are added and removed, never edited in place.
    Role.SECURITY_ADMIN: {
        "districts": {
            "user": ("view",),
            "membership": ("add", "delete", "view"),
            "orgunit": ("view",),
            # The sign-in policy (passwords, lockout, sessions) is the security admin's alone.
            "securitypolicy": ("add", "change", "view"),
        },
        "axes": {"accessattempt": ("view", "delete"), "accessfailurelog": ("view", "delete"), "accesslog": ("view",)},
    },
    # Reads everything, changes nothing.
    Role.AUDIT_ADMIN: {
        "districts": {
            m: ("view",)
            for m in (
                "user",
                "orgunit",
                "site",
                "sector",
                "sectorlead",
                "membership",
                "unitboundary",
                "securitypolicy",
            )
        },
        "campaign": {m: ("view",) for m in ("campaign", "target")},
        "jobs": {"job": ("view",), "jobheartbeat": ("view",)},
        "risks": {
            m: ("view",) for m in ("assessmentmethod", "methodversion", "controlrule", "controlpolicy", "riskpoint")
        },
        "reporting": {m: ("view",) for m in ("reporttype", "period")},
        "oversight": {m: ("view",) for m in ("bulletinseries", "bulletin", "bulletinversion")},
        "axes": {m: ("view",) for m in ("accessattempt", "accessfailurelog", "accesslog")},
        "admin": {"logentry": ("view",)},
    },
}


def ensure_admin_groups(**kwargs) -> None:
    for role, apps in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        q = Q(pk__in=[])
        for app_label, models in apps.items():
            for model, actions in models.items():
                q |= Q(content_type__app_label=app_label, codename__in=[f"{a}_{model}" for a in actions])
        group.permissions.set(Permission.objects.filter(q))
