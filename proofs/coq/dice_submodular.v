(** * dice-submodular: the Dice error-set loss is not submodular (nor supermodular).

    Δ_D(M) is the count Dice loss of the prediction y XOR M: TP = |y \ M|,
    FP = |M \ y|, FN = |M ∩ y|.  The smallest witness (n = 2, y = {0, 1}, A = {0},
    B = {1}) is evaluated in the kernel, and the general witness of the proof file
    (two false negatives inside a ground truth of K ≥ 2 voxels) is proved for
    every K.  The positive half of the proof file (submodular when |y| ≤ 1) is not
    part of this theorem. *)

From Coq Require Import Reals Lra Psatz Arith Lia.
From Diceproof Require Import defs sets.
Open Scope R_scope.

Definition dset (n : nat) (y M : mask) : R :=
  dice (card n (diff y M)) (card n (diff M y)) (card n (inter M y)).

Definition full : mask := fun _ => true.
Definition empty : mask := fun _ => false.
Definition single (k : nat) : mask := fun i => Nat.eqb i k.

Theorem dice_submodular :
  (* the smallest witness, with its four values *)
  dset 2 full (single 0) = 1 / 3 /\ dset 2 full (single 1) = 1 / 3 /\
  dset 2 full (union (single 0) (single 1)) = 1 /\
  dset 2 full (inter (single 0) (single 1)) = 0 /\
  dset 2 full (single 0) + dset 2 full (single 1) <
    dset 2 full (union (single 0) (single 1)) + dset 2 full (inter (single 0) (single 1)) /\
  (* the general witness: two false negatives inside a ground truth of K ≥ 2 voxels *)
  (forall K : nat, (2 <= K)%nat ->
     dice (K - 1) 0 1 + dice (K - 1) 0 1 < dice (K - 2) 0 2 + dice K 0 0) /\
  (* not supermodular either: y = ∅, A = {0}, B = {1} *)
  dset 2 empty (single 0) + dset 2 empty (single 1) >
    dset 2 empty (union (single 0) (single 1)) + dset 2 empty (inter (single 0) (single 1)).
Proof.
  assert (V1 : dset 2 full (single 0) = 1 / 3) by (unfold dset, dice; simpl; field).
  assert (V2 : dset 2 full (single 1) = 1 / 3) by (unfold dset, dice; simpl; field).
  assert (V3 : dset 2 full (union (single 0) (single 1)) = 1) by (unfold dset, dice; simpl; field).
  assert (V4 : dset 2 full (inter (single 0) (single 1)) = 0) by (unfold dset, dice; simpl; field).
  assert (W1 : dset 2 empty (single 0) = 1) by (unfold dset, dice; simpl; field).
  assert (W2 : dset 2 empty (single 1) = 1) by (unfold dset, dice; simpl; field).
  assert (W3 : dset 2 empty (union (single 0) (single 1)) = 1) by (unfold dset, dice; simpl; field).
  assert (W4 : dset 2 empty (inter (single 0) (single 1)) = 0)
    by (unfold dset, dice; simpl; unfold Rdiv; ring).
  repeat split; try assumption.
  - rewrite V1, V2, V3, V4. lra.
  - intros K HK. assert (2 <= INR K) by (apply (le_INR 2); exact HK).
    unfold dice. rewrite !minus_INR by lia. simpl (INR 0). simpl (INR 1). simpl (INR 2).
    replace (2 * INR K + 0 + 0) with (2 * INR K) by ring.
    replace ((0 + 0) / (2 * INR K)) with 0 by (field; lra).
    replace ((0 + 1) / (2 * (INR K - 1) + 0 + 1)) with (1 / (2 * INR K - 1)) by (field; lra).
    replace ((0 + 2) / (2 * (INR K - 2) + 0 + 2)) with (1 / (INR K - 1)) by (field; lra).
    replace (1 / (2 * INR K - 1) + 1 / (2 * INR K - 1)) with (2 / (2 * INR K - 1)) by (field; lra).
    rewrite Rplus_0_r. apply frac_lt; lra.
  - unfold Rgt. rewrite W1, W2, W3, W4. lra.
Qed.
