# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Context length, request slots, SWA ratio and memory fraction, chosen together.

SGLang sizes the KV pool first and allocates the request table, CUDA graphs and activations from
what is left (sglang_memory). This module evaluates one candidate (context, slots, ratio) with
SGLang's own arithmetic and chooses the candidate a plan uses:

  - the memory fraction, when not given, leaves exactly SGLang's own reserve plus the request
    table outside the pool, so no plan leaves less than SGLang reserves for graphs and activations;
  - context_length auto: the longest context, never above the full-layer pool, at which at least
    MIN_AUTO_RUNNING_REQUESTS requests run at once; with the hybrid pool the SWA ratio is the
    smallest that holds every running request's local window; once the model's max positions
    are reached, what is left goes to more request slots;
  - a given context keeps SGLang's defaults (slots, ratio 0.8) when they fit, else plans slots and
    ratio as above, else is refused with the numbers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible_collections.llmops.sglang.plugins.module_utils import hardware
from ansible_collections.llmops.sglang.plugins.module_utils import sglang_memory as sm

MIB = sm.MIB
MIN_CONTEXT = 4096
CONTEXT_STEP = 1024
DEFAULT_SWA_RATIO = 0.8          # SGLang's --swa-full-tokens-ratio default
MIN_AUTO_RUNNING_REQUESTS = 16   # an auto context still serves this many requests at once
AUTO_SLOT_SHARE = 0.05           # planned slots may take this share of the KV budget
EAGLE_RUNNING_REQUESTS = 48      # SGLang's own default under EAGLE (speculative_hook)
# A planned context stays this far below the predicted full-layer pool: over the calibration runs
# on real GPUs (tests/e2e/gpu/results/: tp 2 and tp 4, BF16 and FP8) the largest over-prediction
# of SGLang's pool was +0.6 %; 2 % is three times that.
POOL_MARGIN = 0.02


def basis(profile, gpus, tp, quantization, hybrid, multimodal, eagle, version, fraction_arg,
          backend):
    """The numbers that do not depend on context, slots or ratio."""
    gpu_mib = gpus["memory_mib"]
    overhead = hardware.preload_overhead_mib(tp)
    decode_bs = eagle["cuda_graph_max_bs"] if eagle else None
    reserve = sm.reserve_mib(gpu_mib, tp, gpus["vendor"], multimodal, decode_bs, version)
    load = sm.load_bytes(profile, tp, quantization, multimodal, eagle)
    rules = sm.rules_for(version)
    return {
        "gpu_mib": gpu_mib, "overhead_mib": overhead, "free_mib": gpu_mib - overhead,
        "reserve_mib": reserve,
        "sglang_fraction": sm.default_fraction(gpu_mib, reserve, profile, multimodal),
        "fraction_given": None if fraction_arg == "auto" else fraction_arg,
        "eagle_fraction": eagle["mem_fraction_static"] if eagle else None,
        "vision_factor": sm.vision_fraction_factor(profile)
        if multimodal and profile.get("vision_layers") else 1.0,
        "load": load, "layout": sm.kv_layout(profile, tp, hybrid, eagle),
        "mm_reserve": rules["mm_budget_reserve_mib"] * MIB if multimodal else 0,
        "backend": backend, "draft_tokens": eagle["num_draft_tokens"] if eagle else 0,
        "window": profile.get("attention_chunk_size") or 0, "hybrid": hybrid,
        "max_positions": profile["max_position_embeddings"],
    }


def _fraction(b, table):
    """The fraction the plan passes: given, or the largest that leaves SGLang's reserve plus the
    request table, scaled like SGLang's for a vision tower, never above SGLang's own; under EAGLE3
    at most the cookbook's explicit 0.75 (SGLang does not scale a given fraction)."""
    if b["fraction_given"] is not None:
        return b["fraction_given"]
    room = (b["free_mib"] - b["reserve_mib"] - table / MIB) / b["free_mib"]
    fraction = min(room * b["vision_factor"], b["sglang_fraction"])
    if b["eagle_fraction"] is not None:
        # the cookbook's EAGLE3 command passes 0.75 itself: SGLang does not scale a given one
        fraction = min(room, b["eagle_fraction"])
    return math.floor(fraction * 1000) / 1000


def evaluate(b, context, slots, ratio):
    """One candidate with SGLang's arithmetic. `slots`: a planned/given count, or None for
    SGLang's default. Returns the numbers and whether it starts."""
    guess = slots or EAGLE_RUNNING_REQUESTS
    for _round in range(4):  # the default slots depend on the pool, the pool on the table
        table = sm.request_table_bytes(guess, context, b["draft_tokens"])
        fraction = _fraction(b, table)
        effective = fraction * sm.aiter_scale(b["backend"], context)
        budget = effective * b["free_mib"] * MIB - b["load"]["total"] - b["mm_reserve"]
        full, swa = sm.pool_tokens(budget, b["layout"], ratio if b["hybrid"] else 0)
        running = (sm.given_running_requests(slots, full) if slots
                   else sm.default_running_requests(full, context))
        if running == guess:
            break
        guess = running
    table = sm.request_table_bytes(running, context, b["draft_tokens"])
    left = (1 - effective) * b["free_mib"] * MIB - table
    result = {
        "context": context, "slots": running, "slots_planned": slots, "ratio": ratio,
        "fraction": fraction, "fraction_effective": round(effective, 4), "budget": budget,
        "full_tokens": full, "swa_tokens": swa, "table": table, "left_after_table": left,
        "reserve": b["reserve_mib"] * MIB,
    }
    result["fits_pool"] = full * (1 - POOL_MARGIN) >= context
    result["fits_reserve"] = left >= result["reserve"]
    result["fits_swa"] = not b["layout"]["swa_layers"] or swa > b["window"] + sm.PAGE_SIZE
    result["holds_windows"] = not b["layout"]["swa_layers"] or swa >= running * b["window"]
    result["starts"] = (budget > 0 and result["fits_pool"] and result["fits_reserve"]
                        and result["fits_swa"])
    return result


def _budget_without_table(b):
    fraction = _fraction(b, 0) * sm.aiter_scale(b["backend"], b["max_positions"])
    return fraction * b["free_mib"] * MIB - b["load"]["total"] - b["mm_reserve"]


def auto_slots(b, context):
    """Slots for a planned context: as many as take AUTO_SLOT_SHARE of the budget (their table
    rows, and with the hybrid pool their local windows), at least MIN_AUTO_RUNNING_REQUESTS."""
    per_slot = sm.REQ_TABLE_ENTRY_BYTES * (context + sm.REQ_TABLE_EXTRA + b["draft_tokens"])
    if b["layout"]["swa_layers"]:
        per_slot += b["window"] * b["layout"]["swa_cell"]
    share = int(AUTO_SLOT_SHARE * max(_budget_without_table(b), 0) // per_slot)
    return max(MIN_AUTO_RUNNING_REQUESTS, min(share, 4096))


def window_ratio(b, context, slots):
    """The smallest SWA ratio (4 decimals) whose pool holds `slots` local windows, or None when
    it would be above 1. With the slots fixed the budget does not depend on the ratio, so:
    ratio x full >= need with full = budget / (full cell + ratio x SWA cell) gives
    ratio >= need x full cell / (budget - need x SWA cell); then checked with evaluate."""
    if not b["layout"]["swa_layers"]:
        return None
    need = slots * b["window"] + sm.PAGE_SIZE
    budget = evaluate(b, context, slots, DEFAULT_SWA_RATIO)["budget"]
    room = budget - need * b["layout"]["swa_cell"]
    if room <= 0:
        return None
    ratio = sm.ceil_ratio(need * b["layout"]["full_cell"] / room)
    for _round in range(3):  # integer rounding of the pools can leave a token short
        if ratio > 1:
            return None
        if evaluate(b, context, slots, ratio)["swa_tokens"] >= need:
            return ratio
        ratio = round(ratio + 0.0001, 4)
    return None


def planned(b, context, slots):
    """A candidate with planned slots and, with the hybrid pool, the smallest ratio that holds
    their windows (ratio 1, the most windows there can be, when none holds them all)."""
    if not b["hybrid"] or not b["layout"]["swa_layers"]:
        return evaluate(b, context, slots, 0)
    return evaluate(b, context, slots, window_ratio(b, context, slots) or 1.0)


def candidate(b, context, slots, ratio_given):
    """With a given ratio (or no hybrid pool) SGLang's pools at that ratio; else planned()."""
    if ratio_given is not None or not b["hybrid"]:
        return evaluate(b, context, slots, ratio_given or 0)
    return planned(b, context, slots)


def _starts(e):
    return e is not None and e["starts"]


def longest_context(b, slots_given=None, ratio_given=None):
    """The longest context (multiple of CONTEXT_STEP, or the model's max positions) that starts,
    with given slots/ratio or planned ones. Returns its candidate, or None."""

    def at(context):
        return candidate(b, context, slots_given or auto_slots(b, context), ratio_given)

    top = at(b["max_positions"])
    if _starts(top) and (ratio_given is not None or slots_given or top["holds_windows"]):
        return top
    low, high = MIN_CONTEXT // CONTEXT_STEP, b["max_positions"] // CONTEXT_STEP
    best = None
    while low <= high:
        mid = (low + high) // 2
        e = at(mid * CONTEXT_STEP)
        if _starts(e) and (ratio_given is not None or slots_given or e["holds_windows"]):
            best, low = e, mid + 1
        else:
            high = mid - 1
    return best


def more_slots(b, chosen, ratio_given=None):
    """With the context fixed, the most slots (up to SGLang's own default count) that still start;
    with the hybrid pool each keeps its local window."""
    context = chosen["context"]
    ceiling = sm.default_running_requests(chosen["full_tokens"], context)
    low, high, best = chosen["slots"], ceiling, chosen
    while low <= high:
        mid = (low + high) // 2
        e = candidate(b, context, mid, ratio_given)
        if _starts(e) and (ratio_given is not None or e["holds_windows"]):
            best, low = e, mid + 1
        else:
            high = mid - 1
    return best


def choose(b, context_arg, slots_arg, ratio_arg, eagle):
    """The candidate a plan uses. context_arg/slots_arg/ratio_arg: given values or 'auto'.
    Returns (candidate, how) or (None, why) when nothing starts."""
    slots_given = slots_arg if slots_arg != "auto" else (EAGLE_RUNNING_REQUESTS if eagle else None)
    ratio_given = None if ratio_arg == "auto" else ratio_arg
    if context_arg == "auto":
        best = longest_context(b, slots_given, ratio_given)
        if best is None and slots_given is None and ratio_given is None and b["hybrid"]:
            # not even MIN_AUTO_RUNNING_REQUESTS windows fit: SGLang's own ratio, fewer windows
            best = longest_context(b, None, DEFAULT_SWA_RATIO)
        if best is None:
            return None, evaluate(b, MIN_CONTEXT, slots_given or MIN_AUTO_RUNNING_REQUESTS,
                                  ratio_given or DEFAULT_SWA_RATIO)
        if best["context"] == b["max_positions"] and slots_given is None:
            best = _default_if_same(b, more_slots(b, best, ratio_given))
        return best, "auto"
    ratio = ratio_given if ratio_given is not None else DEFAULT_SWA_RATIO
    default = evaluate(b, context_arg, slots_given, ratio if b["hybrid"] else 0)
    if default["starts"] and (slots_given is not None or _table_is_small(default)):
        return default, "defaults"
    if slots_given is None:
        share = max(MIN_AUTO_RUNNING_REQUESTS, min(
            int(AUTO_SLOT_SHARE * max(default["budget"], 0) // sm.REQ_TABLE_ENTRY_BYTES
                // (context_arg + sm.REQ_TABLE_EXTRA + b["draft_tokens"])),
            default["slots"]))
        for slots in sorted({share, MIN_AUTO_RUNNING_REQUESTS}, reverse=True):
            e = evaluate(b, context_arg, slots, ratio if b["hybrid"] else 0)
            if e["starts"]:
                return e, "planned slots"
    if b["hybrid"] and ratio_given is None:
        slots = slots_given or auto_slots(b, context_arg)
        e = planned(b, context_arg, slots)
        if _starts(e):
            return (e if slots_given else more_slots(b, e)), "planned"
        e = evaluate(b, context_arg, slots, fit_ratio(b, context_arg, slots))
        if e["starts"]:
            return e, "planned ratio"
    return None, default


def fit_ratio(b, context, slots):
    """The largest SWA ratio (4 decimals, at most SGLang's 0.8) at which the full-layer pool still
    holds `context` with the POOL_MARGIN: full x (full cell + ratio x SWA cell) <= budget with
    full = context / (1 - POOL_MARGIN)."""
    budget = evaluate(b, context, slots, DEFAULT_SWA_RATIO)["budget"]
    full = context / (1 - POOL_MARGIN) + 1
    room = budget - full * b["layout"]["full_cell"]
    if room <= 0:
        return 0.0001
    ratio = math.floor(room / (full * b["layout"]["swa_cell"]) * 10000) / 10000
    return max(0.0001, min(DEFAULT_SWA_RATIO, ratio))


def _default_if_same(b, e):
    """A planned slot count equal to SGLang's own default is left to SGLang (not passed)."""
    if e["slots_planned"] != sm.default_running_requests(e["full_tokens"], e["context"]):
        return e
    default = evaluate(b, e["context"], None, e["ratio"])
    return default if default["starts"] and default["slots"] == e["slots"] else e


def _table_is_small(e):
    """SGLang's default slots are kept while their request table takes at most AUTO_SLOT_SHARE
    of the KV budget; past that the plan sets --max-running-requests."""
    return e["table"] <= AUTO_SLOT_SHARE * max(e["budget"], 0)
