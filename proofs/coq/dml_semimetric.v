(** * dml-semimetric: the Dice semimetric loss DML(p, y) = ‖p − y‖/(‖p‖ + ‖y‖) on
    [0,1]^n (soft labels allowed) has values in [0, 1], is symmetric, is zero exactly
    when p = y, equals soft Dice when the labels are binary, and fails the triangle
    inequality: x = (1, 0), y = (1, 1), z = (0, 1) gives 1 > 1/3 + 1/3, and the
    genuinely soft x = (0, 1), y = (1/2, 1), z = (1, 0) gives 1 > 1/5 + 3/5.

    A configuration is a list of voxels (label, probability); DML(a, b) with a the
    prediction and b the label is [dml] of the list of pairs (b_i, a_i).  The
    factor-2 triangle of the proof file (through JML) is not part of this theorem. *)

From Coq Require Import Reals Lra Psatz List.
From Diceproof Require Import defs.
Import ListNotations.
Open Scope R_scope.

Definition pairs (pred label : list R) : list (R * R) := combine label pred.
Definition DML (a b : list R) : R := dml (pairs a b).
Definition swap (l : list (R * R)) : list (R * R) := map (fun v => (snd v, fst v)) l.

Lemma sums_swap l : sL1 (swap l) = sL1 l /\ sP (swap l) = sY l /\ sY (swap l) = sP l.
Proof.
  unfold sL1, sP, sY, swap, sumR. induction l as [| [a b] l [IH1 [IH2 IH3]]]; simpl; [lra |].
  rewrite IH1, IH2, IH3, Rabs_minus_sym. lra.
Qed.

Lemma sums_range l : in01 l -> 0 <= sL1 l <= sP l + sY l /\ 0 <= sP l /\ 0 <= sY l.
Proof.
  unfold in01, sL1, sP, sY, sumR. induction l as [| [a b] l IH]; simpl; intros H; [lra |].
  inversion H as [| ? ? Hv Hl]; subst. simpl in Hv. destruct (IH Hl) as [[? ?] [? ?]].
  pose proof (Rabs_pos (b - a)).
  assert (Rabs (b - a) <= b + a) by (unfold Rabs; destruct Rcase_abs; lra). lra.
Qed.

Lemma sL1_zero l : in01 l -> (sL1 l = 0 <-> Forall (fun v => fst v = snd v) l).
Proof.
  unfold in01, sL1, sumR. induction l as [| [a b] l IH]; simpl; intros H.
  - split; intros; [constructor | reflexivity].
  - inversion H as [| ? ? Hv Hl]; subst. pose proof (Rabs_pos (b - a)).
    assert (0 <= fold_right (fun v acc => Rabs (snd v - fst v) + acc) 0 l)
      by (apply (sums_range l Hl)).
    split.
    + intros Z. constructor.
      * simpl. assert (Rabs (b - a) = 0) by lra.
        destruct (Req_dec a b) as [? | N]; [assumption |].
        exfalso. revert H2. unfold Rabs. destruct Rcase_abs; lra.
      * apply IH; [exact Hl | lra].
    + intros F. inversion F as [| ? ? E Fl]; subst. simpl in E. rewrite E.
      replace (b - b) with 0 by ring. rewrite Rabs_R0. rewrite (proj2 (IH Hl) Fl). ring.
Qed.

Lemma sums_zero l : in01 l -> sP l + sY l = 0 -> Forall (fun v => fst v = snd v) l.
Proof.
  unfold in01, sP, sY, sumR. induction l as [| [a b] l IH]; simpl; intros H Z; [constructor |].
  inversion H as [| ? ? Hv Hl]; subst. simpl in Hv. destruct (sums_range l Hl) as [_ [P Y]].
  unfold sP, sY, sumR in P, Y.
  constructor; [simpl; lra |]. apply IH; [exact Hl | lra].
Qed.

Lemma sL1_binary l : in01 l -> Forall (fun v => fst v = 0 \/ fst v = 1) l ->
  sL1 l = sS l - 2 * sI l.
Proof.
  unfold in01, sL1, sS, sP, sY, sI, sumR. induction l as [| [a b] l IH]; simpl; intros H B; [lra |].
  inversion H as [| ? ? Hv Hl]; subst. inversion B as [| ? ? Ba Bl]; subst. simpl in Hv, Ba.
  rewrite (IH Hl Bl).
  assert (Rabs (b - a) = b + a - 2 * (a * b))
    by (destruct Ba as [-> | ->]; unfold Rabs; destruct Rcase_abs; lra).
  lra.
Qed.

Theorem dml_semimetric :
  (* the witness on {0,1}², and a witness with a soft middle point *)
  DML [1; 0] [0; 1] = 1 /\ DML [1; 0] [1; 1] = 1 / 3 /\ DML [1; 1] [0; 1] = 1 / 3 /\
  DML [1; 0] [0; 1] > DML [1; 0] [1; 1] + DML [1; 1] [0; 1] /\
  DML [0; 1] [1; 0] > DML [0; 1] [1/2; 1] + DML [1/2; 1] [1; 0] /\
  (* the semimetric axioms and DML = SD for binary labels *)
  (forall l, in01 l ->
     0 <= dml l <= 1 /\ dml (swap l) = dml l /\
     (dml l = 0 <-> Forall (fun v => fst v = snd v) l) /\
     (Forall (fun v => fst v = 0 \/ fst v = 1) l -> dml l = soft_dice l)).
Proof.
  assert (A1 : DML [1; 0] [0; 1] = 1)
    by (unfold DML, pairs, dml, sL1, sP, sY, sumR; simpl; unfold Rabs;
        repeat destruct Rcase_abs; try lra; field).
  assert (A2 : DML [1; 0] [1; 1] = 1 / 3)
    by (unfold DML, pairs, dml, sL1, sP, sY, sumR; simpl; unfold Rabs;
        repeat destruct Rcase_abs; try lra; field).
  assert (A3 : DML [1; 1] [0; 1] = 1 / 3)
    by (unfold DML, pairs, dml, sL1, sP, sY, sumR; simpl; unfold Rabs;
        repeat destruct Rcase_abs; try lra; field).
  assert (B1 : DML [0; 1] [1; 0] = 1)
    by (unfold DML, pairs, dml, sL1, sP, sY, sumR; simpl; unfold Rabs;
        repeat destruct Rcase_abs; try lra; field).
  assert (B2 : DML [0; 1] [1/2; 1] = 1 / 5)
    by (unfold DML, pairs, dml, sL1, sP, sY, sumR; simpl; unfold Rabs;
        repeat destruct Rcase_abs; try lra; field).
  assert (B3 : DML [1/2; 1] [1; 0] = 3 / 5)
    by (unfold DML, pairs, dml, sL1, sP, sY, sumR; simpl; unfold Rabs;
        repeat destruct Rcase_abs; try lra; field).
  split; [exact A1 | split; [exact A2 | split; [exact A3 | split; [| split]]]].
  - rewrite A1, A2, A3. lra.
  - rewrite B1, B2, B3. lra.
  - intros l H. destruct (sums_range l H) as [[L0 L1] [P Y]].
    split; [| split; [| split]].
    + unfold dml. destruct (Req_dec (sP l + sY l) 0) as [Z | NZ].
      * rewrite Z. unfold Rdiv. rewrite Rinv_0. lra.
      * split; [apply Rle_mult_inv_pos; lra |].
        replace 1 with (1 / 1) by field. apply frac_le; lra.
    + unfold dml. destruct (sums_swap l) as [E1 [E2 E3]]. rewrite E1, E2, E3, Rplus_comm.
      reflexivity.
    + unfold dml. destruct (Req_dec (sP l + sY l) 0) as [Z | NZ].
      * rewrite Z. unfold Rdiv. rewrite Rinv_0, Rmult_0_r.
        split; intros; [apply sums_zero; assumption | reflexivity].
      * rewrite <- sL1_zero by exact H. split; intro E.
        -- apply (Rmult_eq_compat_r (sP l + sY l)) in E. unfold Rdiv in E.
           rewrite Rmult_assoc, Rinv_l, Rmult_1_r, Rmult_0_l in E by exact NZ. exact E.
        -- rewrite E. unfold Rdiv. ring.
    + intros B. unfold dml, soft_dice. rewrite sL1_binary by assumption. reflexivity.
Qed.
