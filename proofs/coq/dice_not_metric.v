(** * dice-not-metric: the Dice distance d_D(A, B) = |A Δ B|/(|A| + |B|) (0 for two
    empty sets) is a semimetric on the masks of every size n — values in [0, 1],
    symmetric, zero exactly on equal masks — but fails the triangle inequality at
    A = {0}, B = {0, 1}, C = {1} (1 > 1/3 + 1/3); it satisfies it up to the factor 2.
    It is the count Dice loss of prediction A against truth B. *)

From Coq Require Import Reals Lra Psatz Arith Lia.
From Diceproof Require Import defs sets jaccard_metric dice_submodular.
Open Scope R_scope.

Definition dD (n : nat) (A B : mask) : R :=
  INR (card n (symd A B)) / (INR (card n A) + INR (card n B)).

Lemma symd_le_sum n A B : (card n (symd A B) <= card n A + card n B)%nat.
Proof.
  unfold card. rewrite <- sumn_plus. apply sumn_le. intros i _. unfold symd.
  destruct (A i), (B i); simpl; lia.
Qed.

Lemma card_sum_dice n A B :
  (card n A + card n B = 2 * card n (inter A B) + card n (diff A B) + card n (diff B A))%nat.
Proof.
  unfold card. replace (2 * _)%nat with
    (sumn n (fun i => b2n (inter A B i) + b2n (inter A B i))%nat) by (rewrite sumn_plus; lia).
  rewrite <- !sumn_plus. apply sumn_ext. intros i _. unfold inter, diff.
  destruct (A i), (B i); reflexivity.
Qed.

Lemma dD_le_dJ_le n A B : dD n A B <= dJ n A B <= 2 * dD n A B.
Proof.
  rewrite dJ_steinhaus. unfold dD.
  pose proof (symd_le_sum n A B) as L. apply le_INR in L. rewrite plus_INR in L.
  pose proof (pos_INR (card n A)); pose proof (pos_INR (card n B));
    pose proof (pos_INR (card n (symd A B))).
  set (P := INR (card n (symd A B))) in *. set (a := INR (card n A)) in *.
  set (b := INR (card n B)) in *.
  destruct (Req_dec (a + b) 0) as [Z | NZ].
  - assert (P = 0) by lra. assert (a = 0) by lra. assert (b = 0) by lra.
    rewrite H2, H3, H4. unfold Rdiv. rewrite !Rmult_0_r, !Rmult_0_l. lra.
  - split.
    + destruct (Req_dec P 0) as [Z | NZ2].
      * rewrite Z. unfold Rdiv. rewrite !Rmult_0_r, !Rmult_0_l. lra.
      * apply frac_le; nra.
    + destruct (Req_dec P 0) as [Z | NZ2].
      * rewrite Z. unfold Rdiv. rewrite !Rmult_0_r, !Rmult_0_l. lra.
      * replace (2 * (P / (a + b))) with (2 * P / (a + b)) by (field; lra).
        apply frac_le; nra.
Qed.

Theorem dice_not_metric :
  (* the witness *)
  dD 2 (single 0) (single 1) = 1 /\
  dD 2 (single 0) (union (single 0) (single 1)) = 1 / 3 /\
  dD 2 (union (single 0) (single 1)) (single 1) = 1 / 3 /\
  dD 2 (single 0) (single 1) >
    dD 2 (single 0) (union (single 0) (single 1)) + dD 2 (union (single 0) (single 1)) (single 1) /\
  (* a semimetric on every n, the count Dice loss, and the factor-2 triangle *)
  (forall n A B,
     0 <= dD n A B <= 1 /\ dD n A B = dD n B A /\
     (dD n A B = 0 <-> forall i, (i < n)%nat -> A i = B i) /\
     dD n A B = dice (card n (inter A B)) (card n (diff A B)) (card n (diff B A))) /\
  (forall n A B C, dD n A C <= 2 * (dD n A B + dD n B C)).
Proof.
  assert (V1 : dD 2 (single 0) (single 1) = 1) by (unfold dD; simpl; field).
  assert (V2 : dD 2 (single 0) (union (single 0) (single 1)) = 1 / 3) by (unfold dD; simpl; field).
  assert (V3 : dD 2 (union (single 0) (single 1)) (single 1) = 1 / 3) by (unfold dD; simpl; field).
  split; [exact V1 | split; [exact V2 | split; [exact V3 | split; [| split]]]].
  - rewrite V1, V2, V3. lra.
  - intros n A B.
    assert (E : dD n A B = dice (card n (inter A B)) (card n (diff A B)) (card n (diff B A))).
    { unfold dD, dice. rewrite <- !plus_INR, card_sum_dice, (proj1 (card_split n A B)).
      rewrite !plus_INR, mult_INR. simpl (INR 2). f_equal; ring. }
    pose proof (dD_le_dJ_le n A B) as [L U].
    destruct (jaccard_metric n A B A) as [[J0 J1] [Js [Jz _]]].
    split; [| split; [| split]].
    + unfold dD. pose proof (symd_le_sum n A B) as S. apply le_INR in S. rewrite plus_INR in S.
      pose proof (pos_INR (card n (symd A B))).
      destruct (Req_dec (INR (card n A) + INR (card n B)) 0) as [Z | NZ].
      * rewrite Z. unfold Rdiv. rewrite Rinv_0. lra.
      * split; [apply Rle_mult_inv_pos; pose proof (pos_INR (card n A)); pose proof (pos_INR (card n B)); lra |].
        replace 1 with (1 / 1) by field. apply frac_le; [lra | pose proof (pos_INR (card n A)); pose proof (pos_INR (card n B)); lra | lra].
    + unfold dD. rewrite symd_comm, Rplus_comm. reflexivity.
    + rewrite <- Jz. split; intro H; [lra |].
      assert (0 <= dD n A B).
      { unfold dD. destruct (Req_dec (INR (card n A) + INR (card n B)) 0) as [Z | NZ].
        - rewrite Z. unfold Rdiv. rewrite Rinv_0. lra.
        - apply Rle_mult_inv_pos; [apply pos_INR |].
          pose proof (pos_INR (card n A)); pose proof (pos_INR (card n B)); lra. }
      lra.
    + exact E.
  - intros n A B C.
    destruct (jaccard_metric n A B C) as [_ [_ [_ [T _]]]].
    pose proof (dD_le_dJ_le n A C). pose proof (dD_le_dJ_le n A B). pose proof (dD_le_dJ_le n B C).
    lra.
Qed.
