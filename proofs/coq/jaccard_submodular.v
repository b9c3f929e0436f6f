(** * jaccard-submodular: for every n and every ground truth y, the Jaccard error-set
    loss Δ_J(M) = |M|/|y ∪ M| (0 for M = y = ∅) is submodular:
    Δ_J(A) + Δ_J(B) ≥ Δ_J(A ∪ B) + Δ_J(A ∩ B).  It is the count Jaccard loss of the
    prediction y XOR M.

    The proof splits the voxels into the seven regions of (y, A, B) and proves one
    inequality over seven non-negative reals. *)

From Coq Require Import Reals Lra Psatz Arith Lia Bool.
From Diceproof Require Import defs sets.
Open Scope R_scope.

Definition jset (n : nat) (y M : mask) : R := INR (card n M) / INR (card n (union y M)).

Lemma one_minus (a u v : R) : 0 < v -> a = v - u -> a / v = 1 - u / v.
Proof. intros. subst. field. lra. Qed.

Lemma inv_sum (V z1 z2 : R) : 0 < V -> 0 <= z1 -> 0 <= z2 ->
  1 / (V + z1) + 1 / (V + z2) <= 1 / (V + z1 + z2) + 1 / V.
Proof.
  intros. assert (E : 1 / (V + z1 + z2) + 1 / V - (1 / (V + z1) + 1 / (V + z2)) =
    z1 * z2 * (2 * V + z1 + z2) / (V * (V + z1) * (V + z2) * (V + z1 + z2))) by (field; lra).
  assert (0 <= z1 * z2 * (2 * V + z1 + z2) / (V * (V + z1) * (V + z2) * (V + z1 + z2))).
  { apply Rle_mult_inv_pos; [| apply Rmult_lt_0_compat; [apply Rmult_lt_0_compat; [apply Rmult_lt_0_compat |] |]];
      try lra. apply Rmult_le_pos; [apply Rmult_le_pos |]; lra. }
  lra.
Qed.

Lemma self_div (z : R) : 0 <= z -> (z = 0 /\ z / z = 0) \/ (0 < z /\ z / z = 1).
Proof.
  intros H. destruct (Req_dec z 0) as [-> | N].
  - left. split; [reflexivity |]. unfold Rdiv; ring.
  - right. split; [lra |]. field. exact N.
Qed.

Lemma regions_ineq (p q r s x z1 z2 : R) :
  0 <= p -> 0 <= q -> 0 <= r -> 0 <= s -> 0 <= x -> 0 <= z1 -> 0 <= z2 ->
  let K := p + q + r + s in
  (p + q + r + x + z1 + z2) / (K + x + z1 + z2) + (p + x) / (K + x) <=
  (p + q + x + z1) / (K + x + z1) + (p + r + x + z2) / (K + x + z2).
Proof.
  intros Hp Hq Hr Hs Hx Hz1 Hz2 K. unfold K.
  destruct (Req_dec (p + q + r + s + x) 0) as [Z | NZ].
  - assert (p = 0) by lra. assert (q = 0) by lra. assert (r = 0) by lra.
    assert (s = 0) by lra. assert (x = 0) by lra.
    replace (p + q + r + x + z1 + z2) with (z1 + z2) by lra.
    replace (p + q + r + s + x + z1 + z2) with (z1 + z2) by lra.
    replace (p + x) with 0 by lra. replace (p + q + r + s + x) with 0 by lra.
    replace (p + q + x + z1) with z1 by lra. replace (p + q + r + s + x + z1) with z1 by lra.
    replace (p + r + x + z2) with z2 by lra. replace (p + q + r + s + x + z2) with z2 by lra.
    assert (Z0 : 0 / 0 = 0) by (unfold Rdiv; ring). rewrite Z0.
    destruct (self_div z1 Hz1) as [[Z1 E1] | [P1 E1]];
      destruct (self_div z2 Hz2) as [[Z2 E2] | [P2 E2]];
      destruct (self_div (z1 + z2) ltac:(lra)) as [[Z3 E3] | [P3 E3]];
      rewrite ?Rplus_0_l, E1, E2, E3; lra.
  - set (V := p + q + r + s + x). assert (PV : 0 < V) by (unfold V; lra).
    rewrite (one_minus _ s (V + z1 + z2)) by (unfold V; lra || ring).
    rewrite (one_minus _ (q + r + s) V) by (unfold V; lra || ring).
    rewrite (one_minus _ (r + s) (V + z1)) by (unfold V; lra || ring).
    rewrite (one_minus _ (q + s) (V + z2)) by (unfold V; lra || ring).
    pose proof (inv_sum V z1 z2 PV Hz1 Hz2) as IS.
    assert (R1 : r / (V + z1) <= r / V) by (destruct (Req_dec r 0) as [-> | ?];
      [unfold Rdiv; lra | apply frac_le; nra]).
    assert (R2 : q / (V + z2) <= q / V) by (destruct (Req_dec q 0) as [-> | ?];
      [unfold Rdiv; lra | apply frac_le; nra]).
    assert (R3 : s * (1 / (V + z1) + 1 / (V + z2)) <= s * (1 / (V + z1 + z2) + 1 / V))
      by (apply Rmult_le_compat_l; lra).
    assert (E : (r + s) / (V + z1) + (q + s) / (V + z2) =
                r / (V + z1) + q / (V + z2) + s * (1 / (V + z1) + 1 / (V + z2))) by (field; lra).
    assert (E' : s / (V + z1 + z2) + (q + r + s) / V =
                 r / V + q / V + s * (1 / (V + z1 + z2) + 1 / V)) by (field; lra).
    lra.
Qed.

Definition region (n : nat) (y A B : mask) (by' ba bb : bool) : nat :=
  card n (fun i => eqb (y i) by' && eqb (A i) ba && eqb (B i) bb).

Ltac regions y A B :=
  unfold region; unfold card, union, inter; rewrite <- ?sumn_plus; apply sumn_ext;
  let j := fresh "j" in intros j _; destruct (y j), (A j), (B j); reflexivity.

Theorem jaccard_submodular (n : nat) (y A B : mask) :
  jset n y (union A B) + jset n y (inter A B) <= jset n y A + jset n y B /\
  (forall M, jset n y M = jaccard (card n (diff y M)) (card n (diff M y)) (card n (inter M y))).
Proof.
  split.
  - set (p := region n y A B true true true). set (q := region n y A B true true false).
    set (r := region n y A B true false true). set (s := region n y A B true false false).
    set (x := region n y A B false true true). set (z1 := region n y A B false true false).
    set (z2 := region n y A B false false true).
    assert (EA : card n A = (p + q + x + z1)%nat) by (unfold p, q, x, z1; regions y A B).
    assert (EB : card n B = (p + r + x + z2)%nat) by (unfold p, r, x, z2; regions y A B).
    assert (EU : card n (union A B) = (p + q + r + x + z1 + z2)%nat)
      by (unfold p, q, r, x, z1, z2; regions y A B).
    assert (EI : card n (inter A B) = (p + x)%nat) by (unfold p, x; regions y A B).
    assert (FA : card n (union y A) = (p + q + r + s + x + z1)%nat)
      by (unfold p, q, r, s, x, z1; regions y A B).
    assert (FB : card n (union y B) = (p + q + r + s + x + z2)%nat)
      by (unfold p, q, r, s, x, z2; regions y A B).
    assert (FU : card n (union y (union A B)) = (p + q + r + s + x + z1 + z2)%nat)
      by (unfold p, q, r, s, x, z1, z2; regions y A B).
    assert (FI : card n (union y (inter A B)) = (p + q + r + s + x)%nat)
      by (unfold p, q, r, s, x; regions y A B).
    unfold jset. rewrite EA, EB, EU, EI, FA, FB, FU, FI. rewrite !plus_INR.
    pose proof (regions_ineq (INR p) (INR q) (INR r) (INR s) (INR x) (INR z1) (INR z2)) as G.
    simpl in G. apply G; apply pos_INR.
  - intros M. unfold jset, jaccard. f_equal.
    + rewrite <- plus_INR. f_equal. unfold card, diff, inter. rewrite <- sumn_plus.
      apply sumn_ext. intros i _. destruct (y i), (M i); reflexivity.
    + rewrite <- !plus_INR. f_equal. unfold card, diff, inter, union. rewrite <- !sumn_plus.
      apply sumn_ext. intros i _. destruct (y i), (M i); reflexivity.
Qed.
