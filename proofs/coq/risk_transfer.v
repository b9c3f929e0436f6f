(** * risk-transfer: if a·ℓ₁ ≤ ℓ₂ ≤ b·ℓ₁ pointwise (0 < a), then for every
    distribution and every hypothesis class, a minimiser h₂ of the ℓ₂-risk has
    ℓ₁-risk at most (b/a) times the optimal ℓ₁-risk.

    "Every distribution" is an expectation operator [E] on functions Y → R that is
    monotone and positively homogeneous — every probability distribution's
    expectation is (finite or not, as long as the risks exist).  The Dice/Jaccard
    instance (factor 2 both ways) follows from dice-jaccard-relative. *)

From Coq Require Import Reals Lra Psatz.
From Diceproof Require Import defs dice_jaccard_relative.
Open Scope R_scope.

Section Transfer.
  Variables (Y Hyp : Type) (E : (Y -> R) -> R).
  Definition risk (l : Hyp -> Y -> R) (h : Hyp) : R := E (l h).

  Lemma transfer
    (E_mono : forall f g, (forall y, f y <= g y) -> E f <= E g)
    (E_scale : forall c f, 0 <= c -> E (fun y => c * f y) = c * E f)
    (l1 l2 : Hyp -> Y -> R) (a b : R) (class : Hyp -> Prop) (h1 h2 : Hyp) :
    0 < a -> a <= b ->
    (forall h y, a * l1 h y <= l2 h y <= b * l1 h y) ->
    class h1 -> (forall h, class h -> risk l2 h2 <= risk l2 h) ->
    risk l1 h2 <= (b / a) * risk l1 h1.
  Proof.
    intros Ha Hab B C1 Opt2. unfold risk in *.
    assert (S1 : E (l1 h2) <= E (fun y => / a * l2 h2 y)).
    { apply E_mono. intros y. destruct (B h2 y) as [L _].
      apply (Rmult_le_reg_l a); [lra |]. rewrite <- Rmult_assoc, Rinv_r, Rmult_1_l by lra. exact L. }
    rewrite E_scale in S1 by (left; apply Rinv_0_lt_compat; lra).
    assert (S2 : E (l2 h2) <= E (l2 h1)) by (apply Opt2; exact C1).
    assert (S3 : E (l2 h1) <= E (fun y => b * l1 h1 y)) by (apply E_mono; intros y; apply B).
    rewrite E_scale in S3 by lra.
    assert (Ia : 0 < / a) by (apply Rinv_0_lt_compat; lra).
    unfold Rdiv. rewrite Rmult_comm, <- Rmult_assoc.
    apply Rle_trans with (/ a * E (l2 h2)); [exact S1 |].
    rewrite Rmult_comm. apply Rmult_le_compat_r; [lra |]. lra.
  Qed.
End Transfer.

Theorem risk_transfer :
  forall (Y Hyp : Type) (E : (Y -> R) -> R),
    (forall f g, (forall y, f y <= g y) -> E f <= E g) ->
    (forall c f, 0 <= c -> E (fun y => c * f y) = c * E f) ->
    forall (l1 l2 : Hyp -> Y -> R) (a b : R) (class : Hyp -> Prop) (h1 h2 : Hyp),
      0 < a -> a <= b ->
      (forall h y, a * l1 h y <= l2 h y <= b * l1 h y) ->
      class h1 -> (forall h, class h -> E (l2 h2) <= E (l2 h)) ->
      E (l1 h2) <= (b / a) * E (l1 h1).
Proof.
  intros Y Hyp E Em Es l1 l2 a b class h1 h2 Ha Hab B C O.
  apply (transfer Y Hyp E Em Es l1 l2 a b class h1 h2); assumption.
Qed.

(** The Dice/Jaccard instance: the Jaccard-risk minimiser has at most twice the
    optimal Dice risk, and the Dice-risk minimiser at most twice the optimal Jaccard
    risk ([cnt h y] are the counts (TP, FP, FN) of prediction h on labels y). *)
Theorem risk_transfer_dice_jaccard :
  forall (Y Hyp : Type) (E : (Y -> R) -> R),
    (forall f g, (forall y, f y <= g y) -> E f <= E g) ->
    (forall c f, 0 <= c -> E (fun y => c * f y) = c * E f) ->
    forall (cnt : Hyp -> Y -> nat * nat * nat) (class : Hyp -> Prop) (hD hJ h : Hyp),
      let D := fun h y => let '(tp, fp, fn) := cnt h y in dice tp fp fn in
      let J := fun h y => let '(tp, fp, fn) := cnt h y in jaccard tp fp fn in
      class h ->
      (forall h', class h' -> E (J hJ) <= E (J h')) ->
      (forall h', class h' -> E (D hD) <= E (D h')) ->
      E (D hJ) <= 2 * E (D h) /\ E (J hD) <= 2 * E (J h).
Proof.
  intros Y Hyp E Em Es cnt class hD hJ h D J C OJ OD.
  destruct dice_jaccard_relative as [DJ _]. split.
  - replace 2 with (2 / 1) by field.
    apply (transfer Y Hyp E Em Es D J 1 2 class h hJ); try lra; try assumption.
    intros h' y. unfold D, J. destruct (cnt h' y) as [[tp fp] fn].
    destruct (DJ tp fp fn). lra.
  - replace 2 with (1 / (1 / 2)) by field.
    apply (transfer Y Hyp E Em Es J D (1 / 2) 1 class h hD); try lra; try assumption.
    intros h' y. unfold D, J. destruct (cnt h' y) as [[tp fp] fn].
    destruct (DJ tp fp fn). lra.
Qed.
