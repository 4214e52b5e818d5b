# SPDX-License-Identifier: MIT
"""Python binding for libb2b2c over ctypes (standard library only).

The shared library is found through the B2B2C_LIBRARY environment variable
(a path), else through the system loader: ctypes.util.find_library("b2b2c")
(the ldconfig cache), else "libb2b2c.so.1" (LD_LIBRARY_PATH, the default
directories). Install the package with pip from examples/python
(docs/bindings.md); the C library is installed by meson.

Enums are IntEnum classes generated from the headers (b2b2c.Band.HOT, also
b2b2c.BAND_HOT); an enum argument takes a member, its int or its stable
name ("hot"). Times are Unix seconds or aware datetimes (a naive datetime
is refused: its zone would be a guess); times returned are Unix seconds
(b2b2c.from_unix makes an aware UTC datetime of one).
SQLiteStore and PostgresStore load their adapter library on first use
(storage.py says where they look).
Every function has argtypes/restype declared; a negative status raises
b2b2c.Error carrying the code, its name and the context's message.

    import b2b2c
    with b2b2c.Context() as ctx:
        with ctx.transaction():
            ...

Threads: a Context and the handles opened on it are used by one thread at
a time; separate contexts are independent. Contexts on several threads may
share one MemStore (transactions then run one at a time; see
docs/storage.md): ctypes releases the GIL during each call, so a thread
waiting for the store does not hold up the one it waits for.
"""

__all__ = ["Error", "Context", "MemStore", "SQLiteStore", "PostgresStore",
           "lib", "version", "version_number",
           "strerror", "segment_name", "segment_from_name", "segment_group",
           "group_name", "group_from_name", "band_name", "band_from_name",
           "SEGMENTS", "GROUPS", "BANDS", "STATUS"]

# The modules: _lib loads the library and checks every call; core holds the
# context; one module per engine.
from ._lib import (  # noqa: F401
    BANDS, Error, GROUPS, SEGMENTS, STATUS, _DECLARED, lib, strerror, version,
    version_number)
from .core import (  # noqa: F401
    Context, MemStore, band_from_name, band_name, group_from_name, group_name,
    param_bounds, param_name, segment_from_name, segment_group, segment_name)
from .storage import (  # noqa: F401
    PostgresStore, SQLiteStore)
from ._engine import (  # noqa: F401
    fit_status_name)
from .segment import (  # noqa: F401
    AccountItem, Attrs, Classification, Rule, SegmentChange, SegmentClassifier,
    Segmenter, seg_attr_from_name, seg_attr_name, seg_channel_from_name,
    seg_channel_name, seg_dest_from_name, seg_dest_name,
    seg_org_kind_from_name, seg_org_kind_name, seg_party_type_from_name,
    seg_party_type_name)
from .lead import (  # noqa: F401
    BandChange, FunnelRow, LeadItem, LeadModel, LeadRow, RefitResult,
    lead_stage_from_name, lead_stage_name)
from .dealer import (  # noqa: F401
    AuditRecord, DealerEngine, DealerItem, OwnerItem, Protection,
    Registration, Reroute, dealer_policy_name, dealer_reason_name,
    dealer_service_name)
from .forecast import (  # noqa: F401
    CustomerItem, Due, FitResult, Forecaster, Summary, forecast_clv,
    forecast_fit, forecast_frequency_counts, forecast_gg_fit,
    forecast_gg_loglik, forecast_gg_spend, forecast_loglik, forecast_nparams,
    forecast_param_name, forecast_param_names, forecast_population_expected,
    forecast_predict, forecast_stderr, forecast_gg_stderr, forecast_moments,
    forecast_gg_moments, forecast_fit_sum, SumOutsideDomain, ForecastRows)
from .channel import (  # noqa: F401
    Attribution, ChannelItem, Channels, LagWeek, Share,
    channel_attribution_from_name, channel_attribution_name,
    channel_kind_from_name, channel_kind_name, channel_sub_from_name,
    channel_sub_kind, channel_sub_name, channel_markov_counts,
    channel_markov_effects)
from .lead_sum import (  # noqa: F401
    LeadFitResult, lead_dim, lead_fit_sum, lead_loss)
from .experiment import (  # noqa: F401
    Experiment, ExperimentDay, Plan, experiment_plan)
from .program import (  # noqa: F401
    ClaimRow, DealerRow, PointRow, Programs, SpendRow,
    programs_kind_from_name, programs_kind_name)

# Every enum value and #define constant of the public headers, named as in
# C minus the B2B2C_ prefix (b2b2c.SEG_ATTR_OUTLETS == 8, b2b2c.EINVAL ==
# -1, ...): see _lib. An enum's constants are the members of its IntEnum
# class (b2b2c.BAND_HOT is b2b2c.Band.HOT).
from ._lib import (  # noqa: E402
    _CONSTANTS, ENUMS, EnumArg, Time, from_unix, to_unix)
globals().update(_CONSTANTS)
globals().update(ENUMS)
# Time and EnumArg: the types of the type hints (a time argument, an enum
# argument)
__all__ += sorted(ENUMS) + ["ENUMS", "to_unix", "from_unix", "Time",
                            "EnumArg"]

__all__ += [n for n in list(_CONSTANTS) + [
    "Attrs", "Segmenter", "SegmentClassifier", "LeadModel", "DealerEngine",
    "Forecaster", "Channels", "Classification", "SegmentChange", "Rule",
    "LeadRow", "RefitResult", "BandChange", "Reroute", "AuditRecord", "FitResult",
    "Summary", "Due", "Attribution", "Share", "LagWeek", "LeadItem", "FunnelRow",
    "DealerItem", "OwnerItem", "Registration", "Protection", "ChannelItem", "AccountItem", "CustomerItem",
    "seg_attr_name", "seg_party_type_name", "seg_org_kind_name", "seg_dest_name",
    "seg_channel_name", "seg_attr_from_name", "seg_party_type_from_name",
    "seg_org_kind_from_name", "seg_dest_from_name", "seg_channel_from_name",
    "lead_stage_name", "lead_stage_from_name", "dealer_policy_name",
    "dealer_reason_name", "dealer_service_name", "forecast_nparams", "forecast_param_name",
    "forecast_param_names", "forecast_fit", "forecast_loglik",
    "forecast_gg_fit", "forecast_gg_loglik", "forecast_predict",
    "forecast_moments", "forecast_gg_moments", "forecast_fit_sum",
    "SumOutsideDomain", "ForecastRows",
    "fit_status_name",
    "forecast_gg_spend", "forecast_clv", "forecast_population_expected",
    "forecast_frequency_counts", "channel_kind_name", "channel_sub_name",
    "channel_attribution_name", "channel_kind_from_name", "channel_sub_from_name",
    "channel_attribution_from_name", "channel_sub_kind",
    "channel_markov_counts", "channel_markov_effects", "LeadFitResult",
    "lead_dim", "lead_fit_sum", "lead_loss", "Experiment",
    "ExperimentDay", "Plan", "experiment_plan", "Programs", "DealerRow", "PointRow", "ClaimRow", "SpendRow",
    "programs_kind_name", "programs_kind_from_name"]]

# The public classes name the package as their module, as before the split
# into modules: tracebacks say b2b2c.Error, pickles refer to b2b2c.LeadRow.
for _n in __all__:
    _o = globals()[_n]
    if isinstance(_o, type) and _o.__module__.startswith(__name__ + "."):
        _o.__module__ = __name__
del _n, _o
