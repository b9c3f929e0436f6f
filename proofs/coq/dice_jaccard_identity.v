(** * dice-jaccard-identity: J = D/(2 - D), D = 2J/(1 + J), Δ_J = 2Δ_D/(1 + Δ_D).

    Stated for every count triple, including TP = FP = FN = 0: there both losses are
    0/0, which [defs.v] reads as 0 (the empty-mask policy [one], similarities 1), and
    the identities still hold. *)

From Coq Require Import Reals Lra Psatz.
From Diceproof Require Import defs.
Open Scope R_scope.


Lemma identity_real (t e : R) : 0 <= t -> 0 <= e ->
  let d := e / (2 * t + e) in
  let j := e / (t + e) in
  j = 2 * d / (1 + d) /\ 1 - j = (1 - d) / (2 - (1 - d)) /\
  1 - d = 2 * (1 - j) / (1 + (1 - j)).
Proof.
  intros Ht He d j. subst d j.
  destruct (Req_dec (t + e) 0) as [Z | NZ].
  - assert (t = 0) by lra. assert (e = 0) by lra. subst.
    replace (2 * 0 + 0) with 0 by ring. replace (0 + 0) with 0 by ring.
    unfold Rdiv. rewrite Rinv_0. split; [| split]; field.
  - assert (0 < t + e) by lra.
    split; [| split]; field; lra.
Qed.

Theorem dice_jaccard_identity (tp fp fn : nat) :
  jaccard tp fp fn = 2 * dice tp fp fn / (1 + dice tp fp fn) /\
  1 - jaccard tp fp fn = (1 - dice tp fp fn) / (2 - (1 - dice tp fp fn)) /\
  1 - dice tp fp fn = 2 * (1 - jaccard tp fp fn) / (1 + (1 - jaccard tp fp fn)).
Proof.
  pose proof (pos_INR tp). pose proof (pos_INR fp). pose proof (pos_INR fn).
  pose proof (identity_real (INR tp) (INR fp + INR fn)) as Hid.
  unfold dice, jaccard.
  replace (2 * INR tp + INR fp + INR fn) with (2 * INR tp + (INR fp + INR fn)) by ring.
  replace (INR tp + INR fp + INR fn) with (INR tp + (INR fp + INR fn)) by ring.
  apply Hid; lra.
Qed.
