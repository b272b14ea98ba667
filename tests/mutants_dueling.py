"""Realistic bugs in part "dueling" (the format is explained in tests/mutants.py)."""
from __future__ import annotations

from tests.mutants import Mutant

CENTRE = "centred = advantages - advantages.mean(dim=1, keepdim=True)"
COMBINE = "return values.unsqueeze(1) + centred"
VALUES = "values = self.value_head(features).squeeze(1)"
ADVANTAGES = "advantages = self.advantage_head(features)"

MUTANTS = [
    Mutant("no_mean_subtracted", "dueling",
           "adds V and A and subtracts nothing, so V and A are only defined up to a constant",
           ((CENTRE, "centred = advantages"),),
           r"your Q is V \+ A, with nothing subtracted\. Then V and A are not identifiable.*returned the same Q"),
    Mutant("max_subtracted", "dueling",
           "subtracts each state's max advantage instead of its mean (the paper's other form)",
           ((CENTRE, "centred = advantages - advantages.max(dim=1, keepdim=True).values"),),
           r"The max advantage was subtracted.*convention.*is the mean"),
    Mutant("mean_over_batch_axis", "dueling",
           "takes the mean advantage over the batch axis (dim=0) instead of over actions",
           ((CENTRE, "centred = advantages - advantages.mean(dim=0, keepdim=True)"),),
           r"The mean was taken over the batch axis \(dim=0\)"),
    Mutant("mean_of_whole_batch", "dueling",
           "subtracts the mean of all advantages of the batch (a mean over no axis)",
           ((CENTRE, "centred = advantages - advantages.mean()"),),
           r"The mean of every advantage of the batch was subtracted"),
    Mutant("mean_without_keepdim", "dueling",
           "takes the mean over actions without keepdim=True, so the [B] means broadcast along the actions axis",
           ((CENTRE, "centred = advantages - advantages.mean(dim=1)"),),
           r"without keepdim=True"),
    Mutant("values_not_unsqueezed", "dueling",
           "adds values [B] to the [B, A] advantages as it is, so it broadcasts along the actions axis",
           ((COMBINE, "return values + centred"),),
           r"values \[B\].*values\.unsqueeze\(1\)"),
    Mutant("value_missing", "dueling",
           "returns the centred advantages without adding V(s)",
           ((COMBINE, "return centred"),),
           r"V\(s\) is missing"),
    Mutant("mean_detached", "dueling",
           "detaches the mean advantage, so no gradient flows through it",
           ((CENTRE, "centred = advantages - advantages.mean(dim=1, keepdim=True).detach()"),),
           r"no gradient flows through the mean advantage"),
    Mutant("subtracted_in_place", "dueling",
           "subtracts the mean from the advantages argument in place (-=), changing the caller's tensor",
           ((CENTRE, "advantages -= advantages.mean(dim=1, keepdim=True)\n    centred = advantages"),),
           r"changed its argument\(s\) advantages in place"),
    Mutant("value_bare_squeeze", "dueling",
           "squeezes the value head's output with a bare squeeze(), which drops the batch axis of a batch of one",
           ((VALUES, "values = self.value_head(features).squeeze()"),),
           r"bare \.squeeze\(\) removed the batch axis"),
    Mutant("value_not_squeezed", "dueling",
           "keeps the value head's [B, 1] output as the values",
           ((VALUES, "values = self.value_head(features)"),),
           r"The value head's output is \[B, 1\]: make it \[B\] with \.squeeze\(1\)"),
    Mutant("heads_on_observations", "dueling",
           "feeds the observations, not the trunk's features, to the advantage head",
           ((ADVANTAGES, "advantages = self.advantage_head(observations)"),),
           r"both heads take the trunk's features|computed from the observations"),
    Mutant("value_head_on_detached_features", "dueling",
           "gives the value head detached features, so the value stream does not train the trunk",
           ((VALUES, "values = self.value_head(features.detach()).squeeze(1)"),),
           r"value head was given detached features"),
    Mutant("advantages_left_out", "dueling",
           "returns V(s) for every action: the centred advantages are multiplied by 0",
           ((COMBINE, "return values.unsqueeze(1) + 0 * centred"),),
           r"Q does not depend on the advantages"),
    Mutant("advantages_standardized", "dueling",
           "divides the centred advantages by their standard deviation, as advantages are normalized in "
           "policy-gradient methods",
           ((CENTRE, "centred = (advantages - advantages.mean(dim=1, keepdim=True)) / "
                     "advantages.std(dim=1, keepdim=True)"),),
           r"should be added as they are \(not rescaled, normalized or transformed\)"),
]
