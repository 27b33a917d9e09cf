"""Make real-dimension Llama 4 checkpoint folders for SGLang's --load-format dummy: the published
config.json (tests/e2e/gpu/models/) and a small tokenizer trained here, no weights. SGLang then
allocates every real parameter (random values) at the real size, so its memory log lines are the
real model's.

    python tests/e2e/gpu/make_real_dims.py OUT_DIR

Writes OUT_DIR/llama4-scout and OUT_DIR/llama4-maverick. The tokenizer's 4,096 tokens are fewer
than the model's 202,048, so its vocabulary is padded with plain entries up to the model's: every id
the random model can emit then decodes.
"""

import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_tiny_model import make_tokenizer  # noqa: E402

MODELS = ("llama4-scout", "llama4-maverick")


def pad_vocabulary(tokenizer_json, size):
    """Give the BPE vocabulary `size` entries: ids past the trained ones become tokens 'id<N>'."""
    with open(tokenizer_json) as handle:
        data = json.load(handle)
    vocab = data["model"]["vocab"]
    taken = set(vocab.values()) | {t["id"] for t in data.get("added_tokens", [])}
    for token_id in range(size):
        if token_id not in taken:
            vocab["id%d" % token_id] = token_id
    with open(tokenizer_json, "w") as handle:
        json.dump(data, handle)


def main():
    out = sys.argv[1]
    tokenizer_dir = os.path.join(out, "_tokenizer")
    os.makedirs(tokenizer_dir, exist_ok=True)
    make_tokenizer(tokenizer_dir)
    for name in MODELS:
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(HERE, "models", name + ".json")) as handle:
            config = json.load(handle)
        config.pop("_comment", None)
        with open(os.path.join(folder, "config.json"), "w") as handle:
            json.dump(config, handle, indent=2)
        for item in os.listdir(tokenizer_dir):
            shutil.copy(os.path.join(tokenizer_dir, item), folder)
        pad_vocabulary(os.path.join(folder, "tokenizer.json"), config["text_config"]["vocab_size"])
    shutil.rmtree(tokenizer_dir)
    print("real-dimension checkpoints (config and tokenizer only) in %s: %s" % (
        out, ", ".join(MODELS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
