# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local prompt file in ShareGPT's format for bench_serving's `random` dataset.

bench_serving's `random` dataset cuts or repeats the tokens of ShareGPT prompts to the exact
lengths asked for, and downloads ShareGPT from the Hugging Face hub unless --dataset-path names a
local file. GPU hosts are often offline, so the sglang_bench role writes this one instead: plain
English-like text, deterministic (the same file on every run, so a second run changes nothing).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import random

WORDS = (
    "the a of to and in is it that for on with as was at by an be this from or are which "
    "model server token memory cache request batch latency throughput decode prefill layer "
    "expert attention context window kernel graph tensor parallel node cluster network storage "
    "scheduler queue response question answer system user engineer report measure speed time "
    "first next last long short small large fast slow steady careful simple clear open close "
    "read write send receive start stop build test deploy upgrade roll back plan check verify "
    "water river mountain city road bridge garden library museum market harbour station forest"
).split()


def sharegpt_conversations(count, seed=0, words_per_turn=(40, 160)):
    """count two-turn conversations, as ShareGPT's JSON lists them."""
    rng = random.Random(seed)
    out = []
    for number in range(count):
        turns = []
        for speaker in ("human", "gpt"):
            length = rng.randint(*words_per_turn)
            sentence = " ".join(rng.choice(WORDS) for _word in range(length))
            turns.append({"from": speaker, "value": sentence[:1].upper() + sentence[1:] + "."})
        out.append({"id": "llmops-%05d" % number, "conversations": turns})
    return out


def sharegpt_json(count, seed=0):
    return json.dumps(sharegpt_conversations(count, seed), separators=(",", ":")) + "\n"
