(** * soft-dice-jaccard: SJ = 2·SD/(1 + SD) and SD ≤ SJ ≤ 2·SD ≤ 2 on [0,1]^n, soft
    labels allowed; inf SJ/SD = 1 attained exactly where SD = 1, sup 2 approached
    (SJ/SD = 2 − δ at y = (1), p = (1 − δ)) and never attained.  The same identity and
    bounds for the squared variant S₂ = Σp² + Σy².

    S = 0 (p = y = 0) gives SD = SJ = 0 ([defs.v]: 0/0 is 0), and the identity and
    bounds hold there too. *)

From Coq Require Import Reals Lra Psatz List.
From Diceproof Require Import defs.
Import ListNotations.
Open Scope R_scope.

Lemma sI_range l : in01 l -> 0 <= sI l /\ 2 * sI l <= sS l.
Proof.
  unfold in01, sI, sS, sP, sY. induction l as [| [y p] l IH]; simpl; intros H.
  - lra.
  - inversion H as [| ? ? Hv Hl]; subst. simpl in Hv. destruct (IH Hl). nra.
Qed.

Lemma sI_range_sq l : in01 l -> 0 <= sI l /\ 2 * sI l <= sS2 l.
Proof.
  unfold in01, sI, sS2. induction l as [| [y p] l IH]; simpl; intros H.
  - lra.
  - inversion H as [| ? ? Hv Hl]; subst. simpl in Hv. destruct (IH Hl).
    pose proof (Rle_0_sqr (p - y)) as Sq. unfold Rsqr in Sq. clear IH H. destruct Hv. split; nra.
Qed.

Section Real.
  Variables I S : R.

  Lemma soft_identity_real (HI : 0 <= I) (HS : 2 * I <= S) :
    (S - 2 * I) / (S - I) = 2 * ((S - 2 * I) / S) / (1 + (S - 2 * I) / S).
  Proof.
    destruct (Req_dec S 0) as [Z | NZ].
    - assert (I = 0) by lra. subst. replace (0 - 2 * 0) with 0 by ring.
      unfold Rdiv. rewrite !Rmult_0_l. ring.
    - field. lra.
  Qed.

  Lemma soft_bounds_real (HI : 0 <= I) (HS : 2 * I <= S) :
    0 <= (S - 2 * I) / S <= 1 /\
    (S - 2 * I) / S <= (S - 2 * I) / (S - I) <= 2 * ((S - 2 * I) / S).
  Proof.
    destruct (Req_dec S 0) as [Z | NZ].
    - assert (I = 0) by lra. subst. replace (0 - 2 * 0) with 0 by ring.
      unfold Rdiv. rewrite !Rmult_0_l. lra.
    - split; [split |].
      + apply Rle_mult_inv_pos; lra.
      + replace 1 with (1 / 1) by field. apply frac_le; lra.
      + split.
        * apply frac_le; nra.
        * replace (2 * ((S - 2 * I) / S)) with ((2 * (S - 2 * I)) / S) by (field; lra).
          apply frac_le; nra.
  Qed.

  Lemma soft_strict_real (HI : 0 <= I) (HS : 2 * I <= S) : 0 < (S - 2 * I) / S -> (S - 2 * I) / (S - I) < 2 * ((S - 2 * I) / S).
  Proof.
    intros P. destruct (Req_dec S 0) as [Z | NZ].
    - subst. unfold Rdiv in P. rewrite Rinv_0, Rmult_0_r in P. lra.
    - assert (0 < S) by lra. assert (0 < S - 2 * I).
      { unfold Rdiv in P. apply (Rmult_lt_compat_r S) in P; [| lra].
        rewrite Rmult_assoc, Rinv_l, Rmult_0_l, Rmult_1_r in P by lra. exact P. }
      replace (2 * ((S - 2 * I) / S)) with ((2 * (S - 2 * I)) / S) by (field; lra).
      apply frac_lt; nra.
  Qed.

  Lemma soft_ratio_one_real (HI : 0 <= I) (HS : 2 * I <= S) : 0 < (S - 2 * I) / S ->
    ((S - 2 * I) / (S - I) / ((S - 2 * I) / S) = 1 <-> (S - 2 * I) / S = 1).
  Proof.
    intros P. destruct (Req_dec S 0) as [Z | NZ].
    - subst. unfold Rdiv in P. rewrite Rinv_0, Rmult_0_r in P. lra.
    - assert (0 < S) by lra. assert (0 < S - 2 * I).
      { unfold Rdiv in P. apply (Rmult_lt_compat_r S) in P; [| lra].
        rewrite Rmult_assoc, Rinv_l, Rmult_0_l, Rmult_1_r in P by lra. exact P. }
      replace ((S - 2 * I) / (S - I) / ((S - 2 * I) / S)) with (S / (S - I)) by (field; lra).
      split; intro E.
      + apply (Rmult_eq_compat_r (S - I)) in E. unfold Rdiv in E.
        rewrite Rmult_assoc, Rinv_l, Rmult_1_r, Rmult_1_l in E by lra.
        assert (I = 0) by lra. subst. field. lra.
      + apply (Rmult_eq_compat_r S) in E. unfold Rdiv in E.
        rewrite Rmult_assoc, Rinv_l, Rmult_1_r, Rmult_1_l in E by lra.
        assert (I = 0) by lra. subst. field. lra.
  Qed.
End Real.

Theorem soft_dice_jaccard :
  (forall l, in01 l ->
     soft_jaccard l = 2 * soft_dice l / (1 + soft_dice l) /\
     0 <= soft_dice l <= 1 /\
     soft_dice l <= soft_jaccard l <= 2 * soft_dice l /\
     (0 < soft_dice l -> soft_jaccard l < 2 * soft_dice l) /\
     (0 < soft_dice l -> (soft_jaccard l / soft_dice l = 1 <-> soft_dice l = 1))) /\
  (forall l, in01 l ->
     soft_jaccard_sq l = 2 * soft_dice_sq l / (1 + soft_dice_sq l) /\
     0 <= soft_dice_sq l <= 1 /\
     soft_dice_sq l <= soft_jaccard_sq l <= 2 * soft_dice_sq l /\
     (0 < soft_dice_sq l -> soft_jaccard_sq l < 2 * soft_dice_sq l)) /\
  (forall d, 0 < d <= 1 ->
     soft_jaccard [(1, 1 - d)] / soft_dice [(1, 1 - d)] = 2 - d).
Proof.
  split; [| split].
  - intros l H. destruct (sI_range l H) as [A B].
    unfold soft_jaccard, soft_dice.
    destruct (soft_bounds_real (sI l) (sS l) A B) as [B1 B2].
    repeat split; try apply B1; try apply B2.
    + apply soft_identity_real; assumption.
    + intros; apply soft_strict_real; assumption.
    + intros P; apply soft_ratio_one_real; assumption.
    + intros P; apply soft_ratio_one_real; assumption.
  - intros l H. destruct (sI_range_sq l H) as [A B].
    unfold soft_jaccard_sq, soft_dice_sq.
    destruct (soft_bounds_real (sI l) (sS2 l) A B) as [B1 B2].
    repeat split; try apply B1; try apply B2.
    + apply soft_identity_real; assumption.
    + intros; apply soft_strict_real; assumption.
  - intros d Hd. unfold soft_jaccard, soft_dice, sS, sI, sP, sY, sumR. simpl.
    field. lra.
Qed.
