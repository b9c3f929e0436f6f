(** * whamming-dice: for fixed w the best spread between H_w and Δ_D on n voxels is
    (2n − 1)·ν/μ, which grows without bound; the absolute gap is 1 − μ/n.

    [whamming w] puts w on FN and 1 − w on FP; μ = min(w, 1 − w), ν = max(w, 1 − w).
    Configurations without an error are skipped (FP + FN ≥ 1). *)

From Coq Require Import Reals Lra Psatz Arith Lia.
From Diceproof Require Import defs.
Open Scope R_scope.

Section Real.
  Variables w t x y n : R.
  Let B := w * y + (1 - w) * x.
  Let s := x + y.
  Let mu := Rmin w (1 - w).
  Let nu := Rmax w (1 - w).

  Lemma wd_ratio_eq (Hw : 0 <= w <= 1) (Ht : 0 <= t) (Hx : 0 <= x) (Hy : 0 <= y) (Hs : 1 <= x + y) (Hn : t + (x + y) <= n) : (B / n) / (s / (2 * t + s)) = B * (2 * t + s) / (n * s).
  Proof. unfold s in *. field. lra. Qed.

  Lemma wd_ratio_bounds (Hw : 0 <= w <= 1) (Ht : 0 <= t) (Hx : 0 <= x) (Hy : 0 <= y) (Hs : 1 <= x + y) (Hn : t + (x + y) <= n) : mu / n <= B * (2 * t + s) / (n * s) <= nu * (2 * n - 1) / n.
  Proof.
    destruct (weight_bounds w x y Hw Hx Hy) as [L U]. fold B s mu nu in L, U.
    assert (Es : s = x + y) by reflexivity. assert (1 <= s) by lra. assert (0 <= mu) by (unfold mu, Rmin; destruct Rle_dec; lra).
    assert (0 <= nu) by (unfold nu, Rmax; destruct Rle_dec; lra).
    assert (0 <= B) by nra.
    split.
    - apply frac_le; [lra | nra |].
      assert (0 <= B * (2 * t + s - 1)) by (apply Rmult_le_pos; lra). nra.
    - apply frac_le; [nra | lra |].
      assert (0 <= (nu * s - B) * (2 * t + s)) by (apply Rmult_le_pos; nra).
      assert (0 <= nu * s * (2 * n - 1 - (2 * t + s))) by (apply Rmult_le_pos; nra).
      nra.
  Qed.

  Lemma wd_gap (Hw : 0 <= w <= 1) (Ht : 0 <= t) (Hx : 0 <= x) (Hy : 0 <= y) (Hs : 1 <= x + y) (Hn : t + (x + y) <= n) : Rabs (B / n - s / (2 * t + s)) <= 1 - mu / n.
  Proof.
    destruct (weight_bounds w x y Hw Hx Hy) as [L U]. fold B s mu nu in L, U.
    assert (Es : s = x + y) by reflexivity. assert (1 <= s) by lra.
    assert (Hmu : 0 <= mu <= 1 / 2) by (unfold mu, Rmin; destruct Rle_dec; lra).
    assert (Hnu : nu <= 1) by (unfold nu, Rmax; destruct Rle_dec; lra).
    assert (0 <= B) by nra.
    assert (D1 : s / (2 * t + s) <= 1) by (replace 1 with (1 / 1) by field; apply frac_le; lra).
    assert (D2 : s / (2 * n) <= s / (2 * t + s)) by (apply frac_le; nra).
    assert (mu <= B) by nra. assert (B <= s) by nra.
    assert (G1 : mu / n <= B / n) by (apply frac_le; nra).
    assert (G2 : B / n <= s / n) by (apply frac_le; nra).
    assert (G3 : s / n - s / (2 * n) <= 1 / 2) by
      (replace (s / n - s / (2 * n)) with (s / (2 * n)) by (field; lra);
       apply frac_le; lra).
    assert (G4 : mu / n <= 1 / 2) by (apply frac_le; nra).
    unfold Rabs. destruct Rcase_abs; lra.
  Qed.
End Real.

Lemma wd_counts w tp fp fn tn : 0 <= w <= 1 -> (1 <= fp + fn)%nat ->
  whamming w tp fp fn tn / dice tp fp fn =
  (w * INR fn + (1 - w) * INR fp) * (2 * INR tp + (INR fp + INR fn)) /
  (INR (tp + fp + fn + tn) * (INR fp + INR fn)).
Proof.
  intros Hw H1. unfold whamming, dice.
  assert (1 <= INR fp + INR fn) by (rewrite <- plus_INR; apply (le_INR 1); exact H1).
  pose proof (pos_INR tp); pose proof (pos_INR fp); pose proof (pos_INR fn); pose proof (pos_INR tn).
  assert (INR (tp + fp + fn + tn) = INR tp + INR fp + INR fn + INR tn) by (rewrite !plus_INR; ring).
  rewrite <- (wd_ratio_eq w (INR tp) (INR fp) (INR fn)) by lra.
  f_equal. f_equal. ring.
Qed.

Lemma wd_witnesses (w : R) : 0 <= w <= 1 ->
  (forall n, (1 <= n)%nat ->
     whamming w (n - 1) 0 1 0 / dice (n - 1) 0 1 = w * (2 * INR n - 1) / INR n /\
     whamming w (n - 1) 1 0 0 / dice (n - 1) 1 0 = (1 - w) * (2 * INR n - 1) / INR n /\
     whamming w 0 0 1 (n - 1) / dice 0 0 1 = w / INR n /\
     whamming w 0 1 0 (n - 1) / dice 0 1 0 = (1 - w) / INR n /\
     Rabs (whamming w 0 0 1 (n - 1) - dice 0 0 1) = 1 - w / INR n /\
     Rabs (whamming w 0 1 0 (n - 1) - dice 0 1 0) = 1 - (1 - w) / INR n).
Proof.
  intros Hw.
  intros n Hn. assert (1 <= INR n) by (apply (le_INR 1); exact Hn).
    assert (E : INR (n - 1) = INR n - 1) by (rewrite minus_INR by exact Hn; reflexivity).
    assert (E1 : INR (n - 1 + 0 + 1 + 0) = INR n) by (f_equal; lia).
    assert (E2 : INR (n - 1 + 1 + 0 + 0) = INR n) by (f_equal; lia).
    assert (E3 : INR (0 + 0 + 1 + (n - 1)) = INR n) by (f_equal; lia).
    assert (E4 : INR (0 + 1 + 0 + (n - 1)) = INR n) by (f_equal; lia).
    unfold whamming, dice. rewrite E1, E2, E3, E4, E. simpl (INR 1). simpl (INR 0).
    assert (w / INR n <= 1) by (replace 1 with (1 / 1) by field; apply frac_le; lra).
    assert ((1 - w) / INR n <= 1) by (replace 1 with (1 / 1) by field; apply frac_le; lra).
    repeat split; try (field; lra).
    + rewrite Rabs_left1; [field; lra |].
      replace ((w * 1 + (1 - w) * 0) / INR n - (0 + 1) / (2 * 0 + 0 + 1)) with (w / INR n - 1)
        by (field; lra). lra.
    + rewrite Rabs_left1; [field; lra |].
      replace ((w * 0 + (1 - w) * 1) / INR n - (1 + 0) / (2 * 0 + 1 + 0)) with ((1 - w) / INR n - 1)
        by (field; lra). lra.
Qed.

Theorem whamming_dice (w : R) : 0 <= w <= 1 ->
  (forall n tp fp fn tn, (1 <= fp + fn)%nat -> (tp + fp + fn + tn = n)%nat ->
     Rmin w (1 - w) / INR n <= whamming w tp fp fn tn / dice tp fp fn
       <= Rmax w (1 - w) * (2 * INR n - 1) / INR n /\
     Rabs (whamming w tp fp fn tn - dice tp fp fn) <= 1 - Rmin w (1 - w) / INR n) /\
  (forall n, (1 <= n)%nat ->
     whamming w (n - 1) 0 1 0 / dice (n - 1) 0 1 = w * (2 * INR n - 1) / INR n /\
     whamming w (n - 1) 1 0 0 / dice (n - 1) 1 0 = (1 - w) * (2 * INR n - 1) / INR n /\
     whamming w 0 0 1 (n - 1) / dice 0 0 1 = w / INR n /\
     whamming w 0 1 0 (n - 1) / dice 0 1 0 = (1 - w) / INR n /\
     Rabs (whamming w 0 0 1 (n - 1) - dice 0 0 1) = 1 - w / INR n /\
     Rabs (whamming w 0 1 0 (n - 1) - dice 0 1 0) = 1 - (1 - w) / INR n) /\
  (0 < w < 1 -> forall K : R, exists n : nat, (1 <= n)%nat /\
     whamming w (n - 1) 0 1 0 / dice (n - 1) 0 1 >
       K * (whamming w 0 1 0 (n - 1) / dice 0 1 0)).
Proof.
  intros Hw. split; [| split].
  - intros n tp fp fn tn H1 Hn.
    assert (1 <= INR fp + INR fn) by (rewrite <- plus_INR; apply (le_INR 1); exact H1).
    pose proof (pos_INR tp); pose proof (pos_INR fp); pose proof (pos_INR fn); pose proof (pos_INR tn).
    assert (En : INR n = INR tp + INR fp + INR fn + INR tn) by (subst n; rewrite !plus_INR; ring).
    split.
    + rewrite wd_counts by assumption. subst n.
      apply wd_ratio_bounds; rewrite ?plus_INR; lra.
    + unfold whamming, dice. subst n.
      replace (2 * INR tp + INR fp + INR fn) with (2 * INR tp + (INR fp + INR fn)) by ring.
      replace (w * INR fn + (1 - w) * INR fp) with (w * INR fn + (1 - w) * INR fp) by ring.
      apply wd_gap; rewrite ?plus_INR; lra.
  - apply wd_witnesses; exact Hw.
  - intros Hw' K. destruct (nat_above (Rabs K * (1 - w) / w + 1)) as [m Hm].
    exists (S m). split; [lia |].
    destruct (wd_witnesses w Hw (S m) ltac:(lia)) as [R1 [_ [_ [R4 _]]]].
    rewrite R1, R4. rewrite S_INR. pose proof (pos_INR m).
    assert (Hq : Rabs K * (1 - w) / w * w = Rabs K * (1 - w)) by (field; lra).
    assert (0 <= Rabs K * (1 - w) / w) by
      (apply Rle_mult_inv_pos; [apply Rmult_le_pos; [apply Rabs_pos | lra] | lra]).
    replace (K * ((1 - w) / (INR m + 1))) with (K * (1 - w) / (INR m + 1)) by (field; lra).
    apply frac_lt; [lra | lra |].
    pose proof (Rle_abs K).
    assert (K * (1 - w) <= Rabs K * (1 - w)) by (apply Rmult_le_compat_r; lra).
    assert (Rabs K * (1 - w) < w * INR m) by nra.
    nra.
Qed.
