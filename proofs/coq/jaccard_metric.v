(** * jaccard-metric: d_J(A, B) = |A Δ B|/|A ∪ B| (0 for two empty sets) is a metric
    on the masks of every size n, with values in [0, 1], and it is the count Jaccard
    loss of prediction A against truth B.  Proof by the Steinhaus transform of the
    Hamming distance, as in the proof file. *)

From Coq Require Import Reals Lra Psatz Arith Lia.
From Diceproof Require Import defs sets.
Open Scope R_scope.

Definition dJ (n : nat) (A B : mask) : R :=
  INR (card n (symd A B)) / INR (card n (union A B)).

(** The Steinhaus transform 2d(x,y)/(d(x,a) + d(y,a) + d(x,y)) of a metric d, with
    α, β, γ the distances of x, y, z to a and P, Q, R those of the pairs. *)
Lemma steinhaus (al be ga P Q R : R) :
  0 <= al -> 0 <= be -> 0 <= ga -> 0 <= P -> 0 <= Q -> 0 <= R ->
  R <= P + Q -> be <= al + P -> be <= ga + Q ->
  2 * R / (al + ga + R) <= 2 * P / (al + be + P) + 2 * Q / (be + ga + Q).
Proof.
  intros. 
  assert (T1 : 0 <= 2 * P / (al + be + P)).
  { destruct (Req_dec (al + be + P) 0) as [Z | NZ].
    - rewrite Z. unfold Rdiv. rewrite Rinv_0. lra.
    - apply Rle_mult_inv_pos; lra. }
  assert (T2 : 0 <= 2 * Q / (be + ga + Q)).
  { destruct (Req_dec (be + ga + Q) 0) as [Z | NZ].
    - rewrite Z. unfold Rdiv. rewrite Rinv_0. lra.
    - apply Rle_mult_inv_pos; lra. }
  destruct (Req_dec (al + ga + R) 0) as [Z | NZ].
  - rewrite Z. unfold Rdiv. rewrite Rinv_0. lra.
  - assert (D : 0 < al + ga + R) by lra.
    assert (D' : 0 < al + ga + P + Q) by lra.
    assert (S1 : 2 * R / (al + ga + R) <= 2 * (P + Q) / (al + ga + P + Q)).
    { apply frac_le; nra. }
    assert (S2 : 2 * P / (al + ga + P + Q) <= 2 * P / (al + be + P)).
    { destruct (Req_dec P 0) as [Z | NZ2].
      - rewrite Z. unfold Rdiv. rewrite !Rmult_0_r, !Rmult_0_l. lra.
      - apply frac_le; nra. }
    assert (S3 : 2 * Q / (al + ga + P + Q) <= 2 * Q / (be + ga + Q)).
    { destruct (Req_dec Q 0) as [Z | NZ2].
      - rewrite Z. unfold Rdiv. rewrite !Rmult_0_r, !Rmult_0_l. lra.
      - apply frac_le; nra. }
    assert (E : 2 * (P + Q) / (al + ga + P + Q) =
                2 * P / (al + ga + P + Q) + 2 * Q / (al + ga + P + Q)) by (field; lra).
    lra.
Qed.

Lemma dJ_steinhaus n A B :
  dJ n A B = 2 * INR (card n (symd A B)) /
             (INR (card n A) + INR (card n B) + INR (card n (symd A B))).
Proof.
  unfold dJ. pose proof (card_union_symd n A B) as E.
  apply (f_equal INR) in E. rewrite mult_INR, !plus_INR in E. simpl (INR 2) in E.
  rewrite <- E. pose proof (card_symd_le_union n A B) as L. apply le_INR in L.
  destruct (Req_dec (INR (card n (union A B))) 0) as [Z | NZ].
  - rewrite Z in *. assert (INR (card n (symd A B)) = 0) by (pose proof (pos_INR (card n (symd A B))); lra).
    rewrite H. unfold Rdiv. rewrite !Rmult_0_l, !Rmult_0_r. ring.
  - field. exact NZ.
Qed.

Lemma card_split n A B :
  card n (symd A B) = (card n (diff A B) + card n (diff B A))%nat /\
  card n (union A B) = (card n (inter A B) + card n (diff A B) + card n (diff B A))%nat.
Proof.
  unfold card. rewrite <- !sumn_plus. split; apply sumn_ext; intros i _;
    unfold symd, union, inter, diff; destruct (A i), (B i); reflexivity.
Qed.

Theorem jaccard_metric (n : nat) (A B C : mask) :
  0 <= dJ n A B <= 1 /\
  dJ n A B = dJ n B A /\
  (dJ n A B = 0 <-> forall i, (i < n)%nat -> A i = B i) /\
  dJ n A C <= dJ n A B + dJ n B C /\
  dJ n A B = jaccard (card n (inter A B)) (card n (diff A B)) (card n (diff B A)).
Proof.
  pose proof (card_symd_le_union n A B) as L. apply le_INR in L.
  pose proof (pos_INR (card n (symd A B))) as P0.
  split; [| split; [| split; [| split]]].
  - unfold dJ. destruct (Req_dec (INR (card n (union A B))) 0) as [Z | NZ].
    + rewrite Z. unfold Rdiv. rewrite Rinv_0. lra.
    + split; [apply Rle_mult_inv_pos; lra |].
      replace 1 with (1 / 1) by field. apply frac_le; lra.
  - unfold dJ. rewrite symd_comm, union_comm. reflexivity.
  - rewrite <- symd_zero_iff. unfold dJ. split.
    + intros H. destruct (Req_dec (INR (card n (union A B))) 0) as [Z | NZ].
      * apply INR_eq. simpl. lra.
      * apply INR_eq. simpl.
        apply (Rmult_eq_compat_r (INR (card n (union A B)))) in H. unfold Rdiv in H.
        rewrite Rmult_assoc, Rinv_l, Rmult_1_r, Rmult_0_l in H by exact NZ. exact H.
    + intros H. rewrite H. simpl. unfold Rdiv. ring.
  - rewrite !dJ_steinhaus. apply steinhaus; try apply pos_INR.
    + rewrite <- plus_INR. apply le_INR. apply card_symd_triangle.
    + rewrite <- plus_INR. apply le_INR. apply card_le_symd.
    + rewrite <- plus_INR. apply le_INR. rewrite symd_comm. apply card_le_symd.
  - unfold dJ, jaccard. destruct (card_split n A B) as [E1 E2]. rewrite E1, E2, !plus_INR.
    reflexivity.
Qed.
