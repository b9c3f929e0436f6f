(** * adaptive-weights-fail: no class weighting of Hamming approximates Dice.

    For each scheme (class-balanced, generalized Dice, inverse square-root frequency,
    median frequency with any positive frequencies F, G) there is no K and scale
    c > 0 with Δ_D/K ≤ c·H ≤ K·Δ_D on every image — not even on the images whose
    ground truth is nonempty.  The family is the proof file's: one false positive
    far from a one-voxel object, (TP, FP, FN, TN) = (1, 1, 0, t), against (1, 1, 0, 0).
    Both have Δ_D = 1/3, while H(1, 1, 0, t) ≤ 2·H(1, 1, 0, 0)/(t + 1). *)

From Coq Require Import Reals Lra Psatz Arith Lia.
From Diceproof Require Import defs.
Open Scope R_scope.

Definition approximates (H : nat -> nat -> nat -> nat -> R) (K c : R) : Prop :=
  0 < c /\
  forall tp fp fn tn, (1 <= fp + fn)%nat -> (1 <= tp + fn)%nat ->
    dice tp fp fn / K <= c * H tp fp fn tn <= K * dice tp fp fn.

Lemma dice_family t : dice 1 1 0 = 1 / 3 /\ dice 1 1 0 = dice 1 1 0 + 0 * INR t.
Proof. unfold dice. simpl (INR 1). simpl (INR 0). split; field. Qed.

Lemma no_approximation (H : nat -> nat -> nat -> nat -> R) :
  0 < H 1%nat 1%nat 0%nat 0%nat ->
  (forall t, H 1%nat 1%nat 0%nat t <= 2 * H 1%nat 1%nat 0%nat 0%nat / (INR t + 1)) ->
  forall K c, ~ approximates H K c.
Proof.
  intros Pos Fam K c [Pc B].
  destruct (dice_family 0) as [D _].
  destruct (B 1%nat 1%nat 0%nat 0%nat ltac:(lia) ltac:(lia)) as [_ U1].
  rewrite D in U1.
  assert (PK : 0 < K) by nra.
  destruct (nat_above (2 * K * K)) as [t Ht].
  destruct (B 1%nat 1%nat 0%nat t ltac:(lia) ltac:(lia)) as [L2 _].
  rewrite D in L2. pose proof (Fam t) as F. pose proof (pos_INR t).
  assert (F' : c * H 1%nat 1%nat 0%nat t <= c * (2 * H 1%nat 1%nat 0%nat 0%nat / (INR t + 1))) by
    (apply Rmult_le_compat_l; lra).
  replace (c * (2 * H 1%nat 1%nat 0%nat 0%nat / (INR t + 1))) with (2 * (c * H 1%nat 1%nat 0%nat 0%nat) / (INR t + 1)) in F'
    by (field; lra).
  assert (G : 1 / 3 / K <= 2 * (K / 3) / (INR t + 1)).
  { apply Rle_trans with (c * H 1%nat 1%nat 0%nat t); [exact L2 |].
    apply Rle_trans with (2 * (c * H 1%nat 1%nat 0%nat 0%nat) / (INR t + 1)); [exact F' |].
    unfold Rdiv. apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat; lra | lra]. }
  replace (1 / 3 / K) with (1 / (3 * K)) in G by (field; lra).
  replace (2 * (K / 3) / (INR t + 1)) with ((2 * K) / (3 * (INR t + 1))) in G by (field; lra).
  assert (G' : 1 * (3 * (INR t + 1)) <= 2 * K * (3 * K)).
  { unfold Rdiv in G.
    apply (Rmult_le_compat_r ((3 * K) * (3 * (INR t + 1)))) in G; [| nra].
    replace (1 * / (3 * K) * (3 * K * (3 * (INR t + 1)))) with (1 * (3 * (INR t + 1))) in G
      by (field; lra).
    replace (2 * K * / (3 * (INR t + 1)) * (3 * K * (3 * (INR t + 1)))) with (2 * K * (3 * K)) in G
      by (field; lra).
    exact G. }
  nra.
Qed.

Lemma balanced_family t : balanced 1 1 0 t = 1 / (2 * (INR t + 1)) /\ balanced 1 1 0 0 = 1 / 2.
Proof.
  unfold balanced. replace (1 + 0)%nat with 1%nat by reflexivity.
  rewrite plus_INR. simpl (INR 1). simpl (INR 0). pose proof (pos_INR t).
  split; field; lra.
Qed.

Lemma gdice_family t : gdice 1 1 0 t = 1 / ((INR t + 1) * (INR t + 2)) /\ gdice 1 1 0 0 = 1 / 2.
Proof.
  unfold gdice. replace (1 + 0)%nat with 1%nat by reflexivity.
  rewrite plus_INR. simpl (INR 1). simpl (INR 0). pose proof (pos_INR t).
  split; field; nra.
Qed.

Lemma sqrtfreq_family t :
  sqrtfreq 1 1 0 t = 1 / (sqrt (INR t + 1) * (1 + sqrt (INR t + 1))) /\ sqrtfreq 1 1 0 0 = 1 / 2.
Proof.
  unfold sqrtfreq.
  replace (INR (1 + 0)) with 1 by (simpl; ring).
  replace (INR (1 + t)) with (INR t + 1) by (rewrite plus_INR; simpl; ring).
  replace (INR (1 + 0)) with 1 by (simpl; ring).
  simpl (INR 0). simpl (INR 1). rewrite sqrt_1. pose proof (pos_INR t).
  assert (Q : 0 < sqrt (INR t + 1)) by (apply sqrt_lt_R0; lra).
  pose proof (sqrt_sqrt (INR t + 1) ltac:(lra)) as S.
  split; [| field].
  replace ((INR t + 1) / sqrt (INR t + 1)) with (sqrt (INR t + 1))
    by (apply (Rmult_eq_reg_r (sqrt (INR t + 1))); [rewrite S; field |]; lra).
  field. nra.
Qed.

Lemma medfreq_family f g t : 0 < f -> 0 < g ->
  medfreq f g 1 1 0 t = f / (f + g) / (INR t + 2) /\ medfreq f g 1 1 0 0 = f / (f + g) / 2.
Proof.
  intros. unfold medfreq, whamming.
  replace (INR (1 + 1 + 0 + t)) with (INR t + 2) by (rewrite !plus_INR; simpl; ring).
  replace (INR (1 + 1 + 0 + 0)) with 2 by (simpl; ring).
  simpl (INR 0). simpl (INR 1).
  pose proof (pos_INR t). split; field; lra.
Qed.

Theorem adaptive_weights_fail :
  (forall K c, ~ approximates balanced K c) /\
  (forall K c, ~ approximates gdice K c) /\
  (forall K c, ~ approximates sqrtfreq K c) /\
  (forall f g, 0 < f -> 0 < g -> forall K c, ~ approximates (medfreq f g) K c).
Proof.
  split; [| split; [| split]].
  - apply no_approximation.
    + rewrite (proj2 (balanced_family 0)). lra.
    + intros t. destruct (balanced_family t) as [-> ->]. pose proof (pos_INR t).
      replace (2 * (1 / 2) / (INR t + 1)) with (1 / (INR t + 1)) by (field; lra).
      apply frac_le; lra.
  - apply no_approximation.
    + rewrite (proj2 (gdice_family 0)). lra.
    + intros t. destruct (gdice_family t) as [-> ->]. pose proof (pos_INR t).
      replace (2 * (1 / 2) / (INR t + 1)) with (1 / (INR t + 1)) by (field; lra).
      apply frac_le; nra.
  - apply no_approximation.
    + rewrite (proj2 (sqrtfreq_family 0)). lra.
    + intros t. destruct (sqrtfreq_family t) as [-> ->]. pose proof (pos_INR t).
      assert (Q : 0 < sqrt (INR t + 1)) by (apply sqrt_lt_R0; lra).
      pose proof (sqrt_sqrt (INR t + 1) ltac:(lra)) as S.
      replace (2 * (1 / 2) / (INR t + 1)) with (1 / (INR t + 1)) by (field; lra).
      apply frac_le; nra.
  - intros f g Hf Hg. apply no_approximation.
    + rewrite (proj2 (medfreq_family f g 0 Hf Hg)).
      apply Rdiv_lt_0_compat; [apply Rdiv_lt_0_compat |]; lra.
    + intros t. destruct (medfreq_family f g t Hf Hg) as [-> ->]. pose proof (pos_INR t).
      assert (0 < f / (f + g)) by (apply Rdiv_lt_0_compat; lra).
      replace (2 * (f / (f + g) / 2) / (INR t + 1)) with (f / (f + g) / (INR t + 1)) by (field; lra).
      unfold Rdiv at 1 3. apply Rmult_le_compat_l; [lra |].
      apply Rinv_le_contravar; lra.
Qed.
