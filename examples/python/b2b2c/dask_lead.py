# SPDX-License-Identifier: MIT
"""The lead model's batch refit over a Dask DataFrame of training rows
(b2b2c.dask.lead_fit; docs/scaling.md), split from dask.py, which
re-exports it."""

from __future__ import annotations

import ctypes
from collections import namedtuple
from typing import Any, List, Optional, Sequence, Tuple

from ._lib import EINVAL, ERANGE, lib
from .dask import PartitionError, _ctx, _failed, _finite, _map
from .forecast import SumOutsideDomain

# ---- the lead model's batch refit over a DataFrame of training rows ---------

def _lead_arrays(part: Any, label: str, segment: str,
                 attrs: Sequence[Optional[str]],
                 kinds: Sequence[Tuple[str, str]]) -> List[Any]:
    """The arrays of b2b2c_lead_loss from a pandas partition: a kind is in
    a row when its count or its value is not 0 (a kind with both 0 adds
    exactly nothing)."""
    import numpy as np
    n = len(part)
    u32 = np.uint32
    lab = np.ascontiguousarray(part[label].to_numpy(dtype="int64")).astype(
        u32)
    seg = np.ascontiguousarray(part[segment].to_numpy(dtype="int64")).astype(
        np.int32)
    at = np.zeros((n, 3), dtype=u32)
    for j, c in enumerate(attrs):
        if c is not None:
            at[:, j] = part[c].to_numpy(dtype="int64")
    nkind = len(kinds)
    cnt = np.zeros((n, nkind))
    val = np.zeros((n, nkind))
    for k, (cc, vc) in enumerate(kinds):
        cnt[:, k] = part[cc].to_numpy(dtype="float64")
        val[:, k] = part[vc].to_numpy(dtype="float64")
    has = (cnt != 0) | (val != 0)
    nk = has.sum(axis=1).astype(u32)
    kind = np.nonzero(has)[1].astype(u32)  # row-major: per row, kind order
    return [lab, seg, np.ascontiguousarray(at.reshape(-1)), nk,
            np.ascontiguousarray(kind), np.ascontiguousarray(cnt[has]),
            np.ascontiguousarray(val[has])]


ATTR_ROLES = ("channel", "region", "product_line")

# lead_fit's answer: LeadFitResult's fields and the attribute numbering
LeadDaskFit = namedtuple("LeadDaskFit",
                         "weights status passes converged attributes")


def _missing(v: Any) -> bool:
    """An attribute name that means none: None, NaN or ""."""
    import pandas as pd
    return v is None or v == "" or (not isinstance(v, str) and
                                     bool(pd.isna(v)))


def partition_attr_values(part: Any, attrs: Sequence[Optional[str]]) -> \
        Tuple[int, List[List[Any]], str]:
    """In a worker: (0, per attribute role the distinct names in its column
    (none: None, NaN or "" left out), "")."""
    out: List[List[Any]] = []
    for c in attrs:
        out.append([] if c is None else
                   [v for v in part[c].unique() if not _missing(v)])
    return 0, out, ""


def _number_part(part: Any, attrs: Sequence[Optional[str]],
                 maps: Sequence[dict]) -> Any:
    """In a worker: the partition with each attribute column's names
    replaced by their numbers (0 none)."""
    out = part.copy()
    for c, m in zip(attrs, maps):
        if c is not None:
            out[c] = [0 if _missing(v) else m[v] for v in part[c]]
            out[c] = out[c].astype("int64")
    return out


def _named(ddf: Any, attrs: Sequence[Optional[str]]) -> bool:
    """Whether an attribute column holds names: not an integer column."""
    return any(c is not None and ddf._meta[c].dtype.kind not in "iu"
               for c in attrs)


def partition_lead_counts(part: Any, label: str,
                          attrs: Sequence[Optional[str]]) -> Tuple[
                              int, List[int], str]:
    """In a worker: (0, [rows, won rows, the largest attribute number],
    "")."""
    import numpy as np
    big = 0
    for c in attrs:
        if c is not None and len(part):
            big = max(big, int(np.max(part[c].to_numpy(dtype="int64"))))
    lab = part[label].to_numpy(dtype="int64")
    return 0, [len(part), int(lab.sum()), big], ""


def partition_lead_sums(part: Any, w: List[float], want_h: bool,
                        nattrs: int, nkinds: int, label: str, segment: str,
                        attrs: Sequence[Optional[str]],
                        kinds: Sequence[Tuple[str, str]]) -> Tuple[
                            int, float, List[float], Any, str]:
    """In a worker: (code, loss, gradient, Hessian diagonal or None,
    message) of b2b2c_lead_loss over one pandas partition at w."""
    dim = len(w)
    lab, seg, at, nk, kind, cnt, val = _lead_arrays(part, label, segment,
                                                    attrs, kinds)
    c = _ctx()
    u32 = ctypes.POINTER(ctypes.c_uint32)
    dp = ctypes.POINTER(ctypes.c_double)
    lo = ctypes.c_double()
    g = (ctypes.c_double * dim)()
    h = (ctypes.c_double * dim)() if want_h else None
    rc = lib.b2b2c_lead_loss(
        ctypes.byref(lo), g, h, dim, c.handle, (ctypes.c_double * dim)(*w),
        nattrs, nkinds, lab.ctypes.data_as(u32),
        seg.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
        at.ctypes.data_as(u32), nk.ctypes.data_as(u32),
        kind.ctypes.data_as(u32), cnt.ctypes.data_as(dp),
        val.ctypes.data_as(dp), len(kind), len(lab))
    if rc:
        return rc, 0.0, [], None, c.errmsg
    return 0, lo.value, list(g), list(h) if want_h else None, ""


def lead_fit(ddf: Any, kinds: Sequence[Tuple[str, str]],
             nattrs: Optional[int] = None, label: str = "label",
             segment: str = "segment",
             attrs: Sequence[Optional[str]] = ("channel", "region",
                                               "product_line"),
             l2: float = 0.001, max_passes: int = 1000,
             persist: bool = True,
             attributes: Optional[Sequence[Tuple[str, Any]]] = None) -> \
        LeadDaskFit:
    """The lead model's batch refit (b2b2c_lead_refit's optimizer and
    objective; docs/lead-model.md) over a Dask DataFrame of training rows,
    one per outcome: label (1 won, 0 lost), segment (B2B2C_SEGMENT_*), the
    channel, region and product line (a column name None: none for every
    row), and per event kind a (count column, value column) pair in kinds:
    the decayed count and value sum at the outcome (kind k is kinds[k]).

    The attributes are numbers or names. Integer columns hold attribute
    numbers (0 none, else 1..nattrs, one numbering over the three; nattrs
    None: the largest found). Columns of names (any other dtype: the
    channel ID, region code and product line ID as the engine takes them;
    None, NaN or "" for none) are numbered once, in the workers, before
    the fit: attributes gives the numbering, a list of (role, name) pairs,
    role one of ATTR_ROLES, number i + 1 being attributes[i] (give the
    order a LeadModel interned them in and the weights are laid out as
    that engine's); None: every name found (one more pass), role by role
    in ATTR_ROLES' order, sorted by name within a role. A name not in
    attributes raises PartitionError (EINVAL) naming it.

    Each loss evaluation maps the partitions to b2b2c_lead_loss in the
    workers and adds in partition order; lead_fit_sum drives the L-BFGS
    on the driver. Returns LeadDaskFit(weights, status, passes,
    converged, attributes): LeadFitResult's fields (weights: bias, 6
    segments, the attributes by number, then per kind its count and value
    weight) and the numbering of names used (None for number columns).
    Raises PartitionError naming the first bad, failed or non-finite
    partition; b2b2c.Error(ENODATA) with one class only."""
    import dask  # noqa: F401 (fail here, not in a worker, without dask)
    from .lead_sum import lead_dim, lead_fit_sum
    attrs = list(attrs) + [None] * (3 - len(attrs))
    cols = [label, segment] + [c for c in attrs if c is not None] + \
        [c for kv in kinds for c in kv]
    for c in cols:
        if c not in ddf.columns:
            raise ValueError("no column %r in the DataFrame" % (c,))
    sel = ddf[cols]
    if persist:
        sel = sel.persist()
    numbering = None
    if attributes is not None or _named(ddf, attrs):
        numbering = _numbering(sel, attrs, attributes)
        maps: List[dict] = [{}, {}, {}]
        for i, (role, v) in enumerate(numbering):
            maps[ATTR_ROLES.index(role)][v] = i + 1
        sel = sel.map_partitions(_number_part, attrs, maps,
                                 meta=_number_part(sel._meta, attrs, maps))
        if persist:
            sel = sel.persist()
        if nattrs is None:
            nattrs = len(numbering)
    parts = sel.to_delayed()
    nrows = nwon = big = 0
    for k, r in enumerate(_map(parts, partition_lead_counts, label, attrs)):
        if r[0] != 0:
            _failed(k, r)
        nrows += r[1][0]
        nwon += r[1][1]
        big = max(big, r[1][2])
    if nattrs is None:
        nattrs = big
    dim = lead_dim(nattrs, len(kinds))

    def sum_fn(w: List[float], want_h: bool) -> Tuple[float, List[float],
                                                      Any]:
        loss, g = 0.0, [0.0] * dim
        h = [0.0] * dim if want_h else None
        outside = False
        for k, r in enumerate(_map(parts, partition_lead_sums, w, want_h,
                                   nattrs, len(kinds), label, segment, attrs,
                                   kinds)):
            if r[0] == ERANGE and r[-1].startswith("w: the loss is not"):
                outside = True
                continue
            if r[0] != 0:
                _failed(k, r)
            _finite(k, "sum", r[1], r[2], r[3] if want_h else 0.0)
            loss += r[1]
            for j in range(dim):
                g[j] += r[2][j]
            if want_h:
                for j in range(dim):
                    h[j] += r[3][j]
        if outside:
            raise SumOutsideDomain()
        return loss, g, h

    r = lead_fit_sum(sum_fn, nattrs, len(kinds), nrows, nwon, l2=l2,
                     max_passes=max_passes)
    return LeadDaskFit(r.weights, r.status, r.passes, r.converged,
                       numbering)


def _numbering(sel: Any, attrs: Sequence[Optional[str]],
               attributes: Optional[Sequence[Tuple[str, Any]]]) -> List[
                   Tuple[str, Any]]:
    """lead_fit's numbering of attribute names: attributes checked (each
    role known, no pair twice) and every name found in the partitions in
    it (else PartitionError EINVAL naming the first missing one), or
    None: every name found, role by role, sorted within a role."""
    if attributes is not None:
        numbering = [(str(r), v) for r, v in attributes]
        for r, v in numbering:
            if r not in ATTR_ROLES:
                raise ValueError("attributes: role %r is not one of %s"
                                 % (r, ", ".join(ATTR_ROLES)))
        if len(set(numbering)) != len(numbering):
            raise ValueError("attributes: a (role, name) pair is listed "
                             "twice")
    found: List[set] = [set(), set(), set()]
    known = set(numbering) if attributes is not None else set()
    for k, r in enumerate(_map(sel.to_delayed(), partition_attr_values,
                               attrs)):
        if r[0] != 0:
            _failed(k, r)
        for j in range(3):
            if attributes is not None:
                for v in r[1][j]:
                    if (ATTR_ROLES[j], v) not in known:
                        raise PartitionError(k, EINVAL, (
                            "%s %r (column %r) is not in attributes"
                            % (ATTR_ROLES[j], v, attrs[j])))
            found[j].update(r[1][j])
    if attributes is not None:
        return numbering
    return [(ATTR_ROLES[j], v) for j in range(3)
            for v in sorted(found[j], key=lambda v: (str(type(v)), v))]
