(** * wce-hamming-transfer: wCE ≥ ln 2 · H_w at the decision ŷ = [p > 1/2], for every
    w ∈ [0, 1] and every configuration; equality at one foreground voxel with p = 1/2.

    A voxel is (y, p): a hard label and a probability in [0, 1].  Its coefficient is
    w if y = 1 and 1 − w if y = 0, and its log argument r is p or 1 − p.  A positive
    coefficient on ln 0 makes wCE = +∞, so the theorem assumes r > 0 wherever the
    coefficient is positive (the other case is trivially true and outside Coq's
    [ln], which is 0 at 0).  A term with coefficient 0 is 0, as in the toolkit. *)

From Coq Require Import Reals Lra Psatz List.
From Diceproof Require Import defs.
Import ListNotations.
Open Scope R_scope.

Definition coef (w : R) (y : bool) : R := if y then w else 1 - w.
Definition larg (y : bool) (p : R) : R := if y then p else 1 - p.
Definition decide (p : R) : bool := if Rlt_dec (1 / 2) p then true else false.
Definition wrong (y : bool) (p : R) : R := if Bool.eqb (decide p) y then 0 else 1.

Definition wce (w : R) (l : list (bool * R)) : R :=
  fold_right (fun v acc => coef w (fst v) * - ln (larg (fst v) (snd v)) + acc) 0 l
  / INR (length l).
Definition hamming_w (w : R) (l : list (bool * R)) : R :=
  fold_right (fun v acc => coef w (fst v) * wrong (fst v) (snd v) + acc) 0 l
  / INR (length l).

Lemma ln_le (x y : R) : 0 < x -> x <= y -> ln x <= ln y.
Proof.
  intros Hx Hxy. destruct (Req_dec x y) as [-> | N]; [lra |].
  left. apply ln_increasing; lra.
Qed.

Lemma ln_half : ln (1 / 2) = - ln 2.
Proof. unfold Rdiv. rewrite Rmult_1_l, ln_Rinv by lra. reflexivity. Qed.

Lemma voxel (w : R) (y : bool) (p : R) : 0 <= w <= 1 -> 0 <= p <= 1 ->
  (0 < coef w y -> 0 < larg y p) ->
  ln 2 * (coef w y * wrong y p) <= coef w y * - ln (larg y p).
Proof.
  intros Hw Hp Pos. assert (L2 : 0 < ln 2) by (rewrite <- ln_1; apply ln_increasing; lra).
  assert (C0 : 0 <= coef w y) by (destruct y; simpl; lra).
  destruct (Req_dec (coef w y) 0) as [Z | NZ].
  - rewrite Z. lra.
  - specialize (Pos ltac:(lra)).
    assert (R1 : larg y p <= 1) by (destruct y; simpl; lra).
    assert (Lr : ln (larg y p) <= 0) by (rewrite <- ln_1; apply ln_le; lra).
    unfold wrong, decide. destruct (Rlt_dec (1 / 2) p) as [Gt | Le]; destruct y; simpl in *.
    + (* foreground predicted foreground *) nra.
    + (* false positive: r = 1 − p < 1/2 *)
      assert (ln (1 - p) <= ln (1 / 2)) by (apply ln_le; simpl in Pos; lra).
      rewrite ln_half in H. simpl in C0. nra.
    + (* false negative: r = p ≤ 1/2 *)
      assert (ln p <= ln (1 / 2)) by (apply ln_le; simpl in Pos; lra).
      rewrite ln_half in H. simpl in C0. nra.
    + nra.
Qed.

Theorem wce_hamming_transfer :
  (forall (w : R) (l : list (bool * R)), 0 <= w <= 1 ->
     Forall (fun v => 0 <= snd v <= 1) l ->
     Forall (fun v => 0 < coef w (fst v) -> 0 < larg (fst v) (snd v)) l ->
     ln 2 * hamming_w w l <= wce w l) /\
  (forall w : R, 0 < w <= 1 ->
     wce w [(true, 1 / 2)] = ln 2 * hamming_w w [(true, 1 / 2)] /\ hamming_w w [(true, 1 / 2)] = w).
Proof.
  split.
  - intros w l Hw Hp Hpos. unfold wce, hamming_w.
    destruct (Req_dec (INR (length l)) 0) as [Z | NZ].
    + rewrite Z. unfold Rdiv. rewrite Rinv_0, !Rmult_0_r. lra.
    + assert (0 < INR (length l)) by (pose proof (pos_INR (length l)); lra).
      unfold Rdiv. rewrite <- Rmult_assoc. apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat; lra |].
      clear NZ H. induction l as [| [y p] l IH]; simpl; [lra |].
      inversion Hp as [| ? ? Hp1 Hpl]; subst. inversion Hpos as [| ? ? Hq1 Hql]; subst.
      pose proof (voxel w y p Hw Hp1 Hq1). specialize (IH Hpl Hql). lra.
  - intros w Hw. unfold wce, hamming_w, wrong, decide. simpl.
    destruct (Rlt_dec (1 / 2) (1 / 2)) as [Abs | _]; [lra |]. simpl.
    rewrite ln_half. split; field.
Qed.
