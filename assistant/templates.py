"""Plan templates: the themes, guidance questions and page budget, loaded from YAML.

A template is user-written data, so it is validated strictly: an unknown or
misspelt key is an error naming the file, not a silently ignored setting.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class TemplateError(ValueError):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GuidanceQuestion(_Strict):
    id: str
    text: str
    # Extra search terms: names and phrases a council document would use for this point.
    keywords: list[str] = Field(default_factory=list)
    # What an answer sounds like, in general terms and a council's voice ("We track a set of key performance
    # indicators and report them to Cabinet every quarter."): a question and its answer are worded differently,
    # so the assess stage also scores a sentence by how close it comes to these. Written from the question,
    # never from one council's documents; no figure in them is ever drafted.
    examples: list[str] = Field(default_factory=list)
    # What a sentence must name to answer the question at all: its subject's terms, any one of which will do
    # ("automat*", "AI", "machine learning"). A sentence close to the question in meaning but naming none of
    # them is about something else (a relevance score cannot tell "increased automation" from "improved online
    # forms" well enough): it is never drafted as the answer. Empty: no such test (a question about the whole
    # organisation, whose answers share no vocabulary). See subject_pattern for how a term matches.
    subject: list[str] = Field(default_factory=list)
    # A second facet the question itself names, which the sentence must name as well ("the *digital* skills of your
    # workforce", "which legacy systems are you *replacing*"): any one of these terms too. Without it, a sentence
    # about training in general stands as the answer on digital skills, and one about ICT underinvestment as the
    # answer on systems being replaced. Empty: the subject alone will do.
    subject_also: list[str] = Field(default_factory=list)
    # Phrases in which a subject term means something else, written as subject terms are: the verb "to grant" is no
    # grant regime, and "temporary accommodation" is housing need, not the council's estate. A match of one of these
    # is blanked out before the subject is looked for, so "office buildings converted into temporary accommodation"
    # still names the estate by "office buildings". Empty: every match of a subject term counts.
    not_subject: list[str] = Field(default_factory=list)
    # Whether a statement about councils in general ("Many councils now use chatbots ...", "Local authorities cannot
    # ...") can answer it. A plan says what this council has done and plans to do, so for most questions such a
    # sentence describes other councils; a barrier government can remove is often one every council faces.
    # Usually set for a whole theme (Theme.sector_statements_answer), which its questions take as their default.
    sector_statements_answer: bool = False

    @model_validator(mode="after")
    def _facet_needs_subject(self) -> "GuidanceQuestion":
        if (self.subject_also or self.not_subject) and not self.subject:
            raise ValueError(f"question {self.id}: subject_also and not_subject need subject terms as well")
        return self

    def query(self) -> str:
        return " ".join([self.text, *self.keywords])

    def names_subject(self, text: str) -> bool:
        """Whether `text` names the question's subject, and its second facet where it has one (always, for a
        question without a subject)."""
        other_senses = subject_pattern(tuple(self.not_subject))
        if other_senses is not None:
            text = other_senses.sub(" ", text)
        return all(pattern is None or pattern.search(text)
                   for pattern in (subject_pattern(tuple(self.subject)), subject_pattern(tuple(self.subject_also))))

    def subject_words(self, shown: int = 5) -> str:
        """"any of: automat*, AI, machine learning, ...": the subject terms as the template writes them, for a
        gap's reason (and "... and any of: ..." for the second facet)."""
        def any_of(terms: list[str]) -> str:
            return "any of: " + ", ".join(terms[:shown]) + (", ..." if len(terms) > shown else "")
        return " and ".join(any_of(terms) for terms in (self.subject, self.subject_also) if terms)


@functools.lru_cache(maxsize=512)
def subject_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for a question's subject terms. A term matches as a whole word or phrase, in any case;
    a trailing `*` matches any ending ("automat*": automation, automated); a space or hyphen inside a term
    matches a space, a hyphen or nothing ("ring-fenced": ring fenced, ringfenced); a term written in capitals
    (AI, IT, SEND) matches only in capitals, so "IT" is not "it" and "SEND" is not "send"."""
    parts = []
    for term in (t.strip() for t in terms):
        if not term:
            continue
        prefix = term.endswith("*")
        word = term.rstrip("*").strip()
        body = r"[\s\-]?".join(re.escape(w) for w in re.split(r"[\s\-]+", word))
        body = (r"(?<!\w)" if word[0].isalnum() else "") + body + (r"\w*" if prefix else r"(?!\w)" if word[-1].isalnum() else "")
        letters = [c for c in word if c.isalpha()]
        capitals = len(letters) >= 2 and all(c.isupper() for c in letters)
        parts.append(f"(?-i:{body})" if capitals else body)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


class Theme(_Strict):
    id: str
    title: str
    heading: str  # the heading the plan prints
    share: float = Field(gt=0, le=1)  # share of the body's token budget
    questions: list[GuidanceQuestion] = Field(min_length=1)
    # The default of its questions' sector_statements_answer (a question may still say otherwise).
    sector_statements_answer: bool = False

    @model_validator(mode="before")
    @classmethod
    def _questions_take_the_themes_default(cls, data):
        if isinstance(data, dict) and data.get("sector_statements_answer") and isinstance(data.get("questions"), list):
            data = {**data, "questions": [{"sector_statements_answer": True, **q} if isinstance(q, dict) else q
                                          for q in data["questions"]]}
        return data


class References(_Strict):
    """Where the references list is printed, and so whether the page limit counts it."""

    # True: the list follows the plan and its lines count towards page_limit. False: it is
    # printed after a page break as an annex labelled as outside the limit.
    counts_towards_limit: bool = True
    # Each reference is printed on one line whatever its length, so it costs one line of a
    # page, not its tokens: this many cl100k_base tokens of body text fill the same height.
    line_tokens: int = Field(default=12, gt=0)


class PlanTemplate(_Strict):
    id: str
    title: str
    description: str = ""
    page_limit: int = Field(gt=0)
    # Tokens of cl100k_base that fill one rendered A4 page of the export.
    tokens_per_page: int = Field(gt=0)
    # Tokens kept back for the plan title and the theme headings.
    reserve_tokens: int = Field(default=0, ge=0)
    references: References = Field(default_factory=References)
    themes: list[Theme] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> "PlanTemplate":
        total = sum(t.share for t in self.themes)
        if abs(total - 1.0) > 0.011:
            raise ValueError(f"theme shares must add up to 1.0, they add up to {total:.2f}")
        ids = [t.id for t in self.themes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"theme ids must be unique: {ids}")
        qids = [q.id for t in self.themes for q in t.questions]
        if len(set(qids)) != len(qids):
            raise ValueError("guidance question ids must be unique across the template")
        if self.reserve_tokens >= self.budget_tokens:
            raise ValueError("reserve_tokens leaves no budget for the themes")
        return self

    @property
    def budget_tokens(self) -> int:
        return self.page_limit * self.tokens_per_page

    def allowance(self, theme_id: str) -> int:
        """Tokens the section for this theme may use, heading included."""
        body = self.budget_tokens - self.reserve_tokens
        return int(body * self.theme(theme_id).share)

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        known = ", ".join(t.id for t in self.themes)
        raise TemplateError(f"no theme '{theme_id}' in template '{self.id}' (themes: {known})")


def template_path(prompts_dir: Path, name: str) -> Path:
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    return prompts_dir / "templates" / f"{name}.yaml"


def load_template(prompts_dir: Path, name: str) -> PlanTemplate:
    path = template_path(prompts_dir, name)
    if not path.exists():
        available = sorted(p.stem for p in (prompts_dir / "templates").glob("*.yaml"))
        raise TemplateError(f"template '{name}' not found at {path}; available: {', '.join(available) or 'none'}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return PlanTemplate.model_validate(data)
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise TemplateError(f"{path}: {problems}") from exc
