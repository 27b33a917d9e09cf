"""Make a tiny Llama-4-architecture checkpoint locally (no hub): random weights, a BPE tokenizer
trained here, the llama-4 chat template, saved as safetensors.

    python tests/e2e/gpu/make_tiny_model.py OUT_DIR [--config-only]

The layout keeps what the planner and SGLang care about: Llama4ForCausalLM, chunked local
attention (chunk 128) on 3 of every 4 layers and global NoPE layers between, MoE experts, 2 KV
heads of 64 (2,048 KV bytes a token over 4 layers). --config-only writes config.json alone (what
tests/fixtures/models/ keeps, the one copy of its numbers: the tests plan it from that file).

Weights are initialised small (std 0.02, as transformers does) and the final norm and lm_head
scaled so the logits stay finite and moderate: the smoke requests sample from them.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "..", "fixtures", "models", "tiny-llama4", "config.json")) as _f:
    CONFIG = json.load(_f)

SPECIAL = ["<|pad|>", "<|begin_of_text|>", "<|eot|>", "<|header_start|>", "<|header_end|>",
           "<|end_of_text|>", "<|python_start|>", "<|python_end|>", "<|image|>"]

# The llama-4 chat layout (SGLang also has it built in as --chat-template llama-4).
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "<|header_start|>{{ message['role'] }}<|header_end|>\n\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{% if part['type'] == 'text' %}"
    "{{ part['text'] }}{% endif %}{% endfor %}{% endif %}<|eot|>{% endfor %}"
    "{% if add_generation_prompt %}<|header_start|>assistant<|header_end|>\n\n{% endif %}"
)


def corpus():
    """Training text for the tokenizer: Python's own source files, which every machine has."""
    import glob
    files = sorted(glob.glob(os.path.join(os.path.dirname(os.__file__), "*.py")))[:80]
    for path in files:
        with open(path, encoding="utf-8", errors="ignore") as handle:
            yield handle.read()


def make_tokenizer(out):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=CONFIG["vocab_size"], special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus(), trainer=trainer)
    tok.save(os.path.join(out, "tokenizer.json"))
    with open(os.path.join(out, "tokenizer_config.json"), "w") as handle:
        json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<|begin_of_text|>",
                   "eos_token": "<|eot|>", "pad_token": "<|pad|>", "model_max_length": 131072,
                   "chat_template": CHAT_TEMPLATE}, handle, indent=2)
    with open(os.path.join(out, "special_tokens_map.json"), "w") as handle:
        json.dump({"bos_token": "<|begin_of_text|>", "eos_token": "<|eot|>",
                   "pad_token": "<|pad|>"}, handle, indent=2)
    return tok


def make_weights(out):
    import torch
    from transformers import Llama4ForCausalLM, Llama4TextConfig
    torch.manual_seed(0)
    cfg = Llama4TextConfig(**{k: v for k, v in CONFIG.items()
                              if k not in ("architectures", "model_type", "torch_dtype")})
    model = Llama4ForCausalLM(cfg).to(torch.bfloat16)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if param.dim() >= 2:
                param.normal_(0.0, 0.02)
            elif "norm" in name:
                param.fill_(1.0)
    model.config.architectures = ["Llama4ForCausalLM"]
    model.save_pretrained(out, safe_serialization=True)
    with torch.no_grad():
        ids = torch.arange(16).unsqueeze(0)
        logits = model(ids).logits.float()
    assert torch.isfinite(logits).all(), "tiny model produced non-finite logits"
    return float(logits.abs().max())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--config-only", action="store_true")
    opts = parser.parse_args()
    os.makedirs(opts.out, exist_ok=True)
    if opts.config_only:
        with open(os.path.join(opts.out, "config.json"), "w") as handle:
            json.dump(CONFIG, handle, indent=2, sort_keys=True)
            handle.write("\n")
        return 0
    make_tokenizer(opts.out)
    peak = make_weights(opts.out)
    # save_pretrained writes transformers' own config; keep ours (same numbers, explicit layout)
    with open(os.path.join(opts.out, "config.json")) as handle:
        saved = json.load(handle)
    saved.update(CONFIG)
    with open(os.path.join(opts.out, "config.json"), "w") as handle:
        json.dump(saved, handle, indent=2, sort_keys=True)
    print("tiny model in %s, max |logit| %.2f" % (opts.out, peak))
    return 0


if __name__ == "__main__":
    sys.exit(main())
