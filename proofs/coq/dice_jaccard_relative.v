(** * dice-jaccard-relative: Δ_D ≤ Δ_J ≤ 2Δ_D; on n voxels sup Δ_J/Δ_D = (2n − 1)/n.

    The ratio is only considered where there is an error (FP + FN ≥ 1), as in the
    claim: without one both losses are 0 and the configuration is skipped. *)

From Coq Require Import Reals Lra Psatz Arith Lia.
From Diceproof Require Import defs.
Open Scope R_scope.

Section Real.
  Variables t e : R.

  Lemma dj_bounds (Ht : 0 <= t) (He : 0 <= e) :
    e / (2 * t + e) <= e / (t + e) <= 2 * (e / (2 * t + e)).
  Proof.
    destruct (Req_dec e 0) as [Z | NZ].
    - subst. unfold Rdiv. rewrite !Rmult_0_l. lra.
    - split.
      + apply frac_le; nra.
      + replace (2 * (e / (2 * t + e))) with ((2 * e) / (2 * t + e)) by (field; lra).
        apply frac_le; nra.
  Qed.

  Lemma dj_ratio (Ht : 0 <= t) :
    0 < e -> (e / (t + e)) / (e / (2 * t + e)) = (2 * t + e) / (t + e).
  Proof. intros. field. lra. Qed.
End Real.

Lemma counts_split tp fp fn :
  dice tp fp fn = (INR fp + INR fn) / (2 * INR tp + (INR fp + INR fn)) /\
  jaccard tp fp fn = (INR fp + INR fn) / (INR tp + (INR fp + INR fn)).
Proof. unfold dice, jaccard. split; f_equal; ring. Qed.

Lemma err_ge1 fp fn : (1 <= fp + fn)%nat -> 1 <= INR fp + INR fn.
Proof. intros H. rewrite <- plus_INR. apply (le_INR 1). exact H. Qed.

Theorem dice_jaccard_relative :
  (forall tp fp fn, dice tp fp fn <= jaccard tp fp fn <= 2 * dice tp fp fn) /\
  (forall tp fp fn, (1 <= fp + fn)%nat -> jaccard tp fp fn < 2 * dice tp fp fn) /\
  (forall n tp fp fn tn, (1 <= fp + fn)%nat -> (tp + fp + fn + tn = n)%nat ->
     1 <= jaccard tp fp fn / dice tp fp fn <= (2 * INR n - 1) / INR n) /\
  (forall n, (1 <= n)%nat ->
     jaccard (n - 1) 1 0 / dice (n - 1) 1 0 = (2 * INR n - 1) / INR n /\
     jaccard (n - 1) 0 1 / dice (n - 1) 0 1 = (2 * INR n - 1) / INR n /\
     jaccard 0 1 0 / dice 0 1 0 = 1).
Proof.
  split; [| split; [| split]].
  - intros tp fp fn. destruct (counts_split tp fp fn) as [-> ->].
    apply dj_bounds; [apply pos_INR |]. pose proof (pos_INR fp); pose proof (pos_INR fn); lra.
  - intros tp fp fn H1. destruct (counts_split tp fp fn) as [-> ->].
    pose proof (err_ge1 _ _ H1). pose proof (pos_INR tp).
    replace (2 * ((INR fp + INR fn) / (2 * INR tp + (INR fp + INR fn))))
      with ((2 * (INR fp + INR fn)) / (2 * INR tp + (INR fp + INR fn))) by (field; lra).
    apply frac_lt; nra.
  - intros n tp fp fn tn H1 Hn. destruct (counts_split tp fp fn) as [-> ->].
    pose proof (err_ge1 _ _ H1) as He. pose proof (pos_INR tp). pose proof (pos_INR tn).
    assert (En : INR n = INR tp + (INR fp + INR fn) + INR tn)
      by (subst n; rewrite !plus_INR; ring).
    rewrite dj_ratio by lra.
    split.
    + replace 1 with (1 / 1) at 1 by field. apply frac_le; nra.
    + apply frac_le; nra.
  - intros n Hn. assert (1 <= INR n) by (apply (le_INR 1); exact Hn).
    assert (E : INR (n - 1) = INR n - 1) by (rewrite minus_INR by exact Hn; reflexivity).
    unfold dice, jaccard. rewrite E. simpl (INR 1). simpl (INR 0).
    split; [| split]; field; lra.
Qed.
