(** * Finite sets as masks, for the set-function claims.

    A mask on n voxels is a function [nat -> bool] read on 0, …, n − 1 (values at
    i ≥ n are ignored), which is the toolkit's {0,1}^n.  [card n A] counts the
    voxels of A.  Every identity between cardinalities used by the claims follows
    from a pointwise identity between 0/1 indicators ([sumn_ext], [sumn_le],
    [sumn_plus]), so the proofs hold for every n. *)

From Coq Require Import Arith Lia Bool Reals Lra.
From Diceproof Require Import defs.
Open Scope nat_scope.

Definition mask := nat -> bool.

Fixpoint sumn (n : nat) (F : nat -> nat) : nat :=
  match n with
  | O => O
  | S k => sumn k F + F k
  end.

Definition b2n (b : bool) : nat := if b then 1 else 0.
Definition card (n : nat) (A : mask) : nat := sumn n (fun i => b2n (A i)).

Definition inter (A B : mask) : mask := fun i => A i && B i.
Definition union (A B : mask) : mask := fun i => A i || B i.
Definition diff (A B : mask) : mask := fun i => A i && negb (B i).
Definition symd (A B : mask) : mask := fun i => xorb (A i) (B i).

Lemma sumn_ext n F G : (forall i, i < n -> F i = G i) -> sumn n F = sumn n G.
Proof.
  induction n; simpl; intros H; [reflexivity |].
  rewrite IHn by (intros; apply H; lia). rewrite H by lia. reflexivity.
Qed.

Lemma sumn_le n F G : (forall i, i < n -> F i <= G i) -> sumn n F <= sumn n G.
Proof.
  induction n; simpl; intros H; [lia |].
  specialize (IHn (fun i Hi => H i ltac:(lia))). specialize (H n ltac:(lia)). lia.
Qed.

Lemma sumn_plus n F G : sumn n (fun i => F i + G i) = sumn n F + sumn n G.
Proof. induction n; simpl; [reflexivity |]. rewrite IHn. lia. Qed.

Lemma sumn_zero n F : sumn n F = 0 -> forall i, i < n -> F i = 0.
Proof.
  induction n; simpl; intros H i Hi; [lia |].
  destruct (Nat.eq_dec i n) as [-> | Ne]; [lia |]. apply IHn; lia.
Qed.

(** Two cardinality expressions are equal (resp. ordered) when their indicators
    are, voxel by voxel. *)
Lemma card_lin n (F G : nat -> nat) :
  (forall i, F i = G i) -> sumn n F = sumn n G.
Proof. intros H. apply sumn_ext. intros; apply H. Qed.

Lemma card_union_symd n A B : 2 * card n (union A B) = card n A + card n B + card n (symd A B).
Proof.
  unfold card, union, symd. replace (2 * _) with
    (sumn n (fun i => b2n (A i || B i) + b2n (A i || B i))) by (rewrite sumn_plus; lia).
  rewrite <- !sumn_plus. apply sumn_ext. intros i _.
  destruct (A i), (B i); reflexivity.
Qed.

Lemma card_symd_le_union n A B : card n (symd A B) <= card n (union A B).
Proof. unfold card. apply sumn_le. intros i _. unfold symd, union. destruct (A i), (B i); simpl; lia. Qed.

Lemma card_symd_triangle n A B C : card n (symd A C) <= card n (symd A B) + card n (symd B C).
Proof.
  unfold card. rewrite <- sumn_plus. apply sumn_le. intros i _. unfold symd.
  destruct (A i), (B i), (C i); simpl; lia.
Qed.

Lemma card_le_symd n A B : card n B <= card n A + card n (symd A B).
Proof.
  unfold card. rewrite <- sumn_plus. apply sumn_le. intros i _. unfold symd.
  destruct (A i), (B i); simpl; lia.
Qed.

Lemma symd_comm n A B : card n (symd A B) = card n (symd B A).
Proof. unfold card. apply sumn_ext. intros i _. unfold symd. destruct (A i), (B i); reflexivity. Qed.

Lemma union_comm n A B : card n (union A B) = card n (union B A).
Proof. unfold card. apply sumn_ext. intros i _. unfold union. destruct (A i), (B i); reflexivity. Qed.

Lemma card_zero_iff n A : card n A = 0 <-> forall i, i < n -> A i = false.
Proof.
  split.
  - intros H i Hi. pose proof (sumn_zero n _ H i Hi). simpl in H0. destruct (A i); simpl in *; [lia | reflexivity].
  - intros H. unfold card. transitivity (sumn n (fun _ => 0)).
    + apply sumn_ext. intros i Hi. rewrite (H i Hi). reflexivity.
    + clear H. induction n; simpl; lia.
Qed.

Lemma symd_zero_iff n A B : card n (symd A B) = 0 <-> forall i, i < n -> A i = B i.
Proof.
  rewrite card_zero_iff. unfold symd. split; intros H i Hi; specialize (H i Hi);
    destruct (A i), (B i); simpl in *; congruence.
Qed.
