(** * tversky-dice: the ratio Δ_T/Δ_D between min(1, 2m) and max(1, 2M), its exact
    extremes on n voxels, and the limit spread equal to 1 only at α = β = ½.

    α weights FP and β weights FN ([tversky a b]); m = min(α, β), M = max(α, β),
    both positive.  Configurations without an error are skipped (FP + FN ≥ 1).
    Statement (4) of the proof file, the absolute gap max_w |√(2w) − 1|/(√(2w) + 1),
    is not part of this theorem. *)

From Coq Require Import Reals Lra Psatz Arith Lia.
From Diceproof Require Import defs.
Open Scope R_scope.

Section Ratio.
  Variables a b t x y : R.

  Let N := a * x + b * y.
  Let s := x + y.
  Let m := Rmin a b.
  Let M := Rmax a b.

  Lemma N_bounds (Ha : 0 < a) (Hb : 0 < b) (Ht : 0 <= t) (Hx : 0 <= x) (Hy : 0 <= y) (Hs : 1 <= x + y) : m * s <= N <= M * s /\ 0 < m.
  Proof.
    unfold N, s, m, M. unfold Rmin, Rmax.
    destruct (Rle_dec a b); split; try split; nra.
  Qed.

  Lemma ratio_eq (Ha : 0 < a) (Hb : 0 < b) (Ht : 0 <= t) (Hx : 0 <= x) (Hy : 0 <= y) (Hs : 1 <= x + y) : (N / (t + N)) / (s / (2 * t + s)) = N * (2 * t + s) / ((t + N) * s).
  Proof. destruct (N_bounds Ha Hb Ht Hx Hy Hs) as [[? ?] ?]. unfold s in *. field. nra. Qed.

  Lemma ratio_limits (Ha : 0 < a) (Hb : 0 < b) (Ht : 0 <= t) (Hx : 0 <= x) (Hy : 0 <= y) (Hs : 1 <= x + y) : Rmin 1 (2 * m) <= N * (2 * t + s) / ((t + N) * s) <= Rmax 1 (2 * M).
  Proof.
    destruct (N_bounds Ha Hb Ht Hx Hy Hs) as [[L U] Pm]. assert (1 <= s) by (unfold s; lra).
    assert (0 < N) by nra.
    split.
    - unfold Rmin. destruct (Rle_dec 1 (2 * m)).
      + replace 1 with (1 / 1) at 1 by field. apply frac_le; [lra | nra |].
        assert (s <= 2 * N) by nra. assert (0 <= t * (2 * N - s)) by (apply Rmult_le_pos; lra).
        nra.
      + replace (2 * m) with ((2 * m) / 1) by field. apply frac_le; [lra | nra |].
        assert (0 <= t * (N - m * s)) by (apply Rmult_le_pos; lra).
        assert (0 <= N * s * (1 - 2 * m)) by (apply Rmult_le_pos; [nra | lra]).
        nra.
    - unfold Rmax. destruct (Rle_dec 1 (2 * M)).
      + replace (2 * M) with ((2 * M) / 1) by field. apply frac_le; [nra | lra |].
        assert (0 <= t * (M * s - N)) by (apply Rmult_le_pos; lra).
        assert (0 <= N * s * (2 * M - 1)) by (apply Rmult_le_pos; [nra | lra]).
        nra.
      + replace 1 with (1 / 1) by field. apply frac_le; [nra | lra |].
        assert (2 * N <= s) by nra. assert (0 <= t * (s - 2 * N)) by (apply Rmult_le_pos; lra).
        nra.
  Qed.

  Lemma ratio_n_upper (Ha : 0 < a) (Hb : 0 < b) (Ht : 0 <= t) (Hx : 0 <= x) (Hy : 0 <= y) (Hs : 1 <= x + y) (n : R) (Hn : t + s <= n) :
    N * (2 * t + s) / ((t + N) * s) <= Rmax 1 (M * (2 * n - 1) / (n - 1 + M)).
  Proof.
    destruct (N_bounds Ha Hb Ht Hx Hy Hs) as [[L U] Pm]. assert (1 <= s) by (unfold s; lra).
    assert (0 < N) by nra. assert (0 < M) by nra.
    assert (Hts : t <= s * (n - 1)) by nra.
    destruct (Rle_dec (2 * M) 1) as [Hsmall | Hbig].
    - apply Rle_trans with 1; [| apply Rmax_l].
      replace 1 with (1 / 1) by field. apply frac_le; [nra | lra |].
      assert (2 * N <= s) by nra. assert (0 <= t * (s - 2 * N)) by (apply Rmult_le_pos; lra).
      nra.
    - apply Rle_trans with (M * (2 * n - 1) / (n - 1 + M)); [| apply Rmax_r].
      apply Rle_trans with (M * (2 * t + s) / (t + M * s)).
      + apply frac_le; [nra | nra |].
        assert (0 <= t * (M * s - N)) by (apply Rmult_le_pos; lra).
        assert (0 <= (2 * t + s) * (t * (M * s - N))) by (apply Rmult_le_pos; nra).
        nra.
      + apply frac_le; [nra | nra |].
        assert (0 <= (2 * M - 1) * (s * (n - 1) - t)) by (apply Rmult_le_pos; nra).
        assert (0 <= M * ((2 * M - 1) * (s * (n - 1) - t))) by (apply Rmult_le_pos; nra).
        nra.
  Qed.

  Lemma ratio_n_lower (Ha : 0 < a) (Hb : 0 < b) (Ht : 0 <= t) (Hx : 0 <= x) (Hy : 0 <= y) (Hs : 1 <= x + y) (n : R) (Hn : t + s <= n) :
    Rmin 1 (m * (2 * n - 1) / (n - 1 + m)) <= N * (2 * t + s) / ((t + N) * s).
  Proof.
    destruct (N_bounds Ha Hb Ht Hx Hy Hs) as [[L U] Pm]. assert (1 <= s) by (unfold s; lra).
    assert (0 < N) by nra.
    assert (Hts : t <= s * (n - 1)) by nra.
    destruct (Rle_dec 1 (2 * m)) as [Hbig | Hsmall].
    - apply Rle_trans with 1; [apply Rmin_l |].
      replace 1 with (1 / 1) at 1 by field. apply frac_le; [lra | nra |].
      assert (s <= 2 * N) by nra. assert (0 <= t * (2 * N - s)) by (apply Rmult_le_pos; lra).
      nra.
    - apply Rle_trans with (m * (2 * n - 1) / (n - 1 + m)); [apply Rmin_r |].
      apply Rle_trans with (m * (2 * t + s) / (t + m * s)).
      + apply frac_le; [nra | nra |].
        assert (0 <= (1 - 2 * m) * (s * (n - 1) - t)) by (apply Rmult_le_pos; nra).
        assert (0 <= m * ((1 - 2 * m) * (s * (n - 1) - t))) by (apply Rmult_le_pos; nra).
        nra.
      + apply frac_le; [nra | nra |].
        assert (0 <= t * (N - m * s)) by (apply Rmult_le_pos; lra).
        assert (0 <= (2 * t + s) * (t * (N - m * s))) by (apply Rmult_le_pos; nra).
        nra.
  Qed.
End Ratio.

Lemma tversky_dice_ratio a b tp fp fn : 0 < a -> 0 < b -> (1 <= fp + fn)%nat ->
  tversky a b tp fp fn / dice tp fp fn =
  (a * INR fp + b * INR fn) * (2 * INR tp + (INR fp + INR fn)) /
  ((INR tp + (a * INR fp + b * INR fn)) * (INR fp + INR fn)).
Proof.
  intros Ha Hb H1. unfold tversky, dice.
  assert (1 <= INR fp + INR fn) by (rewrite <- plus_INR; apply (le_INR 1); exact H1).
  pose proof (pos_INR tp); pose proof (pos_INR fp); pose proof (pos_INR fn).
  rewrite <- (ratio_eq a b (INR tp) (INR fp) (INR fn)) by lra.
  f_equal; f_equal; ring.
Qed.

Definition spread_limit (a b : R) := Rmax 1 (2 * Rmax a b) / Rmin 1 (2 * Rmin a b).

Theorem tversky_dice (a b : R) : 0 < a -> 0 < b ->
  (forall tp fp fn, (1 <= fp + fn)%nat ->
     Rmin 1 (2 * Rmin a b) <= tversky a b tp fp fn / dice tp fp fn <= Rmax 1 (2 * Rmax a b)) /\
  (forall n tp fp fn tn, (1 <= fp + fn)%nat -> (tp + fp + fn + tn = n)%nat ->
     Rmin 1 (Rmin a b * (2 * INR n - 1) / (INR n - 1 + Rmin a b))
       <= tversky a b tp fp fn / dice tp fp fn <=
     Rmax 1 (Rmax a b * (2 * INR n - 1) / (INR n - 1 + Rmax a b))) /\
  (forall n, (1 <= n)%nat ->
     tversky a b (n - 1) 1 0 / dice (n - 1) 1 0 = a * (2 * INR n - 1) / (INR n - 1 + a) /\
     tversky a b (n - 1) 0 1 / dice (n - 1) 0 1 = b * (2 * INR n - 1) / (INR n - 1 + b) /\
     tversky a b 0 1 0 / dice 0 1 0 = 1) /\
  (spread_limit a b = 1 <-> a = 1 / 2 /\ b = 1 / 2).
Proof.
  intros Ha Hb.
  split; [| split; [| split]].
  - intros tp fp fn H1. rewrite tversky_dice_ratio by assumption.
    pose proof (pos_INR tp); pose proof (pos_INR fp); pose proof (pos_INR fn).
    assert (1 <= INR fp + INR fn) by (rewrite <- plus_INR; apply (le_INR 1); exact H1).
    apply ratio_limits; lra.
  - intros n tp fp fn tn H1 Hn. rewrite tversky_dice_ratio by assumption.
    pose proof (pos_INR tp); pose proof (pos_INR fp); pose proof (pos_INR fn);
      pose proof (pos_INR tn).
    assert (1 <= INR fp + INR fn) by (rewrite <- plus_INR; apply (le_INR 1); exact H1).
    assert (En : INR n = INR tp + INR fp + INR fn + INR tn) by (subst n; rewrite !plus_INR; ring).
    split; [apply ratio_n_lower | apply ratio_n_upper]; lra.
  - intros n Hn. assert (1 <= INR n) by (apply (le_INR 1); exact Hn).
    assert (E : INR (n - 1) = INR n - 1) by (rewrite minus_INR by exact Hn; reflexivity).
    unfold tversky, dice. rewrite E. simpl (INR 1). simpl (INR 0).
    split; [| split]; field; lra.
  - unfold spread_limit. split.
    + intro H.
      assert (Pm : 0 < Rmin a b) by (apply Rmin_glb_lt; lra).
      assert (P : 0 < Rmin 1 (2 * Rmin a b)) by (apply Rmin_glb_lt; lra).
      assert (E : Rmax 1 (2 * Rmax a b) = Rmin 1 (2 * Rmin a b)).
      { apply (Rmult_eq_compat_r (Rmin 1 (2 * Rmin a b))) in H. unfold Rdiv in H.
        rewrite Rmult_assoc, Rinv_l, Rmult_1_r, Rmult_1_l in H by lra. exact H. }
      pose proof (Rmax_l 1 (2 * Rmax a b)); pose proof (Rmax_r 1 (2 * Rmax a b)).
      pose proof (Rmin_l 1 (2 * Rmin a b)); pose proof (Rmin_r 1 (2 * Rmin a b)).
      pose proof (Rmax_l a b); pose proof (Rmax_r a b).
      pose proof (Rmin_l a b); pose proof (Rmin_r a b).
      lra.
    + intros [-> ->]. rewrite (Rmax_left (1/2) (1/2)), (Rmin_left (1/2) (1/2)) by lra.
      replace (2 * (1 / 2)) with 1 by field. rewrite Rmax_left, Rmin_left by lra. field.
Qed.
