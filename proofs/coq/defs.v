(** * Shared definitions: the measures on counts and on soft sums.

    Every measure is written twice, from the same formula as the Rust code:

    - over the reals [R], on [nat] counts, for the proofs;
    - over the rationals [Q], on [Z] counts, so that [Eval vm_compute] can print
      exact values that [tests/coq.rs] compares with what the Rust library computes.

    A lemma [*_Q2R] ties each [Q] definition to its [R] twin, so the values the test
    compares are the values the theorems talk about.

    Conventions, as in [src/measures/builtin.rs] and [src/surrogates/soft.rs]:

    - losses, not similarities: Dice (FP+FN)/(2TP+FP+FN), Jaccard (FP+FN)/(TP+FP+FN);
    - Tversky [a] weights FP and [b] weights FN;
    - [whamming w] puts [w] on FN and [1 - w] on FP, divided by n;
    - 0/0 is 0.  In Coq's reals [/ 0 = 0] (lemma [Rinv_0]) and in [Q] [/ 0 == 0], so a
      fraction with a zero denominator is 0.  That is the toolkit's empty-mask policy
      [one] (loss 0 when both masks are empty), and the convention SD = SJ = 0 when
      S = 0 of the soft losses.  Theorems that exclude 0/0 say so in a hypothesis. *)

From Coq Require Import Reals QArith Qreals Qabs Lra Psatz List.
Import ListNotations.
Open Scope R_scope.

(** ** Count measures over the reals *)

Definition dice (tp fp fn : nat) : R :=
  (INR fp + INR fn) / (2 * INR tp + INR fp + INR fn).

Definition jaccard (tp fp fn : nat) : R :=
  (INR fp + INR fn) / (INR tp + INR fp + INR fn).

(** Tversky loss: [a] on false positives, [b] on false negatives. *)
Definition tversky (a b : R) (tp fp fn : nat) : R :=
  (a * INR fp + b * INR fn) / (INR tp + a * INR fp + b * INR fn).

(** Weighted Hamming with fixed weight [w] on FN and [1 - w] on FP, over n voxels. *)
Definition whamming (w : R) (tp fp fn tn : nat) : R :=
  (w * INR fn + (1 - w) * INR fp) / INR (tp + fp + fn + tn).

(** Per-image class-balanced weights: FN/(2|y|) + FP/(2(n - |y|)); a term over an
    empty class is 0 (its numerator is 0 too). *)
Definition balanced (tp fp fn tn : nat) : R :=
  INR fn / (2 * INR (tp + fn)) + INR fp / (2 * INR (fp + tn)).

(** Generalized-Dice weights 1/|class|², normalised so that all-wrong costs 1: the
    per-voxel weights summed over the errors, divided by the weights summed over all
    voxels (a weight over an empty class is 0). *)
Definition gdice (tp fp fn tn : nat) : R :=
  let a := INR (tp + fn) in
  let b := INR (fp + tn) in
  (INR fn / (a * a) + INR fp / (b * b)) / (a / (a * a) + b / (b * b)).

(** Median-frequency weights with data-set class frequencies [f] (foreground) and
    [g] (background): the fixed weight g/(f + g) on FN. *)
Definition medfreq (f g : R) (tp fp fn tn : nat) : R :=
  whamming (g / (f + g)) tp fp fn tn.

(** Inverse square-root frequency weights, normalised so that all-wrong costs 1. *)
Definition sqrtfreq (tp fp fn tn : nat) : R :=
  let a := INR (tp + fn) in
  let b := INR (fp + tn) in
  (INR fn / sqrt a + INR fp / sqrt b) / (a / sqrt a + b / sqrt b).

(** ** Soft losses over the reals

    A configuration is a list of voxels [(y_i, p_i)]: label, probability. *)

Definition sumR (f : R * R -> R) (l : list (R * R)) : R :=
  fold_right (fun v acc => f v + acc) 0 l.

Definition sI (l : list (R * R)) : R := sumR (fun v => fst v * snd v) l.
Definition sY (l : list (R * R)) : R := sumR fst l.
Definition sP (l : list (R * R)) : R := sumR snd l.
Definition sS (l : list (R * R)) : R := sP l + sY l.
Definition sS2 (l : list (R * R)) : R :=
  sumR (fun v => snd v * snd v) l + sumR (fun v => fst v * fst v) l.
Definition sL1 (l : list (R * R)) : R := sumR (fun v => Rabs (snd v - fst v)) l.

(** Soft Dice 1 - 2I/S, written (S - 2I)/S so that S = 0 gives 0. *)
Definition soft_dice (l : list (R * R)) : R := (sS l - 2 * sI l) / sS l.
(** Soft Jaccard 1 - I/(S - I), written (S - 2I)/(S - I). *)
Definition soft_jaccard (l : list (R * R)) : R := (sS l - 2 * sI l) / (sS l - sI l).
Definition soft_dice_sq (l : list (R * R)) : R := (sS2 l - 2 * sI l) / sS2 l.
Definition soft_jaccard_sq (l : list (R * R)) : R :=
  (sS2 l - 2 * sI l) / (sS2 l - sI l).
(** Soft Tversky 1 - I/(I + a(Σp - I) + b(Σy - I)). *)
Definition soft_tversky (a b : R) (l : list (R * R)) : R :=
  (a * (sP l - sI l) + b * (sY l - sI l)) /
  (sI l + a * (sP l - sI l) + b * (sY l - sI l)).
(** Jaccard metric loss 2‖p - y‖/(‖p‖ + ‖y‖ + ‖p - y‖) and Dice semimetric loss
    ‖p - y‖/(‖p‖ + ‖y‖), L1 norms; on [0,1]^n, ‖p‖ = Σp and ‖y‖ = Σy. *)
Definition jml (l : list (R * R)) : R := 2 * sL1 l / (sP l + sY l + sL1 l).
Definition dml (l : list (R * R)) : R := sL1 l / (sP l + sY l).

Definition in01 (l : list (R * R)) : Prop :=
  Forall (fun v => 0 <= fst v <= 1 /\ 0 <= snd v <= 1) l.

(** ** The same measures over Q, for evaluation *)

Open Scope Q_scope.

Definition zq (k : Z) : Q := inject_Z k.

Definition diceQ (tp fp fn : Z) : Q := (zq fp + zq fn) / (2 * zq tp + zq fp + zq fn).
Definition jaccardQ (tp fp fn : Z) : Q := (zq fp + zq fn) / (zq tp + zq fp + zq fn).
Definition tverskyQ (a b : Q) (tp fp fn : Z) : Q :=
  (a * zq fp + b * zq fn) / (zq tp + a * zq fp + b * zq fn).
Definition whammingQ (w : Q) (tp fp fn tn : Z) : Q :=
  (w * zq fn + (1 - w) * zq fp) / zq (tp + fp + fn + tn).
Definition balancedQ (tp fp fn tn : Z) : Q :=
  zq fn / (2 * zq (tp + fn)) + zq fp / (2 * zq (fp + tn)).
Definition gdiceQ (tp fp fn tn : Z) : Q :=
  let a := zq (tp + fn) in
  let b := zq (fp + tn) in
  (zq fn / (a * a) + zq fp / (b * b)) / (a / (a * a) + b / (b * b)).
Definition medfreqQ (f g : Q) (tp fp fn tn : Z) : Q :=
  whammingQ (g / (f + g)) tp fp fn tn.

Definition sumQ (f : Q * Q -> Q) (l : list (Q * Q)) : Q :=
  fold_right (fun v acc => f v + acc) 0 l.
Definition qI l := sumQ (fun v => fst v * snd v) l.
Definition qY l := sumQ fst l.
Definition qP l := sumQ snd l.
Definition qS l := qP l + qY l.
Definition qS2 l := sumQ (fun v => snd v * snd v) l + sumQ (fun v => fst v * fst v) l.
Definition qL1 l := sumQ (fun v => Qabs (snd v - fst v)) l.
Definition soft_diceQ l := (qS l - 2 * qI l) / qS l.
Definition soft_jaccardQ l := (qS l - 2 * qI l) / (qS l - qI l).
Definition soft_dice_sqQ l := (qS2 l - 2 * qI l) / qS2 l.
Definition soft_jaccard_sqQ l := (qS2 l - 2 * qI l) / (qS2 l - qI l).
Definition soft_tverskyQ (a b : Q) l :=
  (a * (qP l - qI l) + b * (qY l - qI l)) / (qI l + a * (qP l - qI l) + b * (qY l - qI l)).
Definition jmlQ l := 2 * qL1 l / (qP l + qY l + qL1 l).
Definition dmlQ l := qL1 l / (qP l + qY l).

(** ** The Q definitions are the R definitions *)

Close Scope Q_scope.

Lemma Q2R_div_total (x y : Q) : Q2R (x / y) = Q2R x / Q2R y.
Proof.
  destruct (Qeq_dec y 0) as [H | H].
  - assert (E : (x / y == 0)%Q) by (rewrite H; unfold Qdiv, Qeq; simpl; ring).
    rewrite (Qeq_eqR _ _ E), (Qeq_eqR _ _ H). unfold Q2R; simpl. unfold Rdiv.
    rewrite Rmult_0_l, Rinv_0. ring.
  - apply Q2R_div; exact H.
Qed.

Lemma Q2R_zq (k : nat) : Q2R (zq (Z.of_nat k)) = INR k.
Proof. unfold zq, Q2R; simpl. rewrite INR_IZR_INZ. field. Qed.

Lemma Q2R_abs (x : Q) : Q2R (Qabs x) = Rabs (Q2R x).
Proof.
  destruct (Qlt_le_dec x 0) as [H | H].
  - rewrite Qabs_neg by (apply Qlt_le_weak; exact H).
    rewrite Q2R_opp, Rabs_left; [reflexivity |].
    apply Qlt_Rlt in H. unfold Q2R at 2 in H; simpl in H. lra.
  - rewrite Qabs_pos by exact H. rewrite Rabs_right; [reflexivity |].
    apply Qle_Rle in H. unfold Q2R at 1 in H; simpl in H. lra.
Qed.

Lemma Q2R_two : Q2R 2 = 2.
Proof. unfold Q2R; simpl. field. Qed.

Lemma Q2R_one : Q2R 1 = 1.
Proof. unfold Q2R; simpl. field. Qed.

Ltac q2r :=
  repeat (rewrite ?Q2R_div_total, ?Q2R_plus, ?Q2R_mult, ?Q2R_minus, ?Q2R_opp,
                  ?Q2R_zq, ?Q2R_abs, ?Q2R_two, ?Q2R_one).

Definition Z3 (tp fp fn : nat) := (Z.of_nat tp, Z.of_nat fp, Z.of_nat fn).

Lemma dice_Q2R tp fp fn :
  Q2R (diceQ (Z.of_nat tp) (Z.of_nat fp) (Z.of_nat fn)) = dice tp fp fn.
Proof. unfold diceQ, dice. q2r. reflexivity. Qed.

Lemma jaccard_Q2R tp fp fn :
  Q2R (jaccardQ (Z.of_nat tp) (Z.of_nat fp) (Z.of_nat fn)) = jaccard tp fp fn.
Proof. unfold jaccardQ, jaccard. q2r. reflexivity. Qed.

Lemma tversky_Q2R a b tp fp fn :
  Q2R (tverskyQ a b (Z.of_nat tp) (Z.of_nat fp) (Z.of_nat fn)) =
  tversky (Q2R a) (Q2R b) tp fp fn.
Proof. unfold tverskyQ, tversky. q2r. reflexivity. Qed.

Lemma zq_add4 tp fp fn tn :
  zq (Z.of_nat tp + Z.of_nat fp + Z.of_nat fn + Z.of_nat tn) =
  zq (Z.of_nat (tp + fp + fn + tn)).
Proof. f_equal. lia. Qed.

Lemma zq_add2 x y : zq (Z.of_nat x + Z.of_nat y) = zq (Z.of_nat (x + y)).
Proof. f_equal. lia. Qed.

Lemma whamming_Q2R w tp fp fn tn :
  Q2R (whammingQ w (Z.of_nat tp) (Z.of_nat fp) (Z.of_nat fn) (Z.of_nat tn)) =
  whamming (Q2R w) tp fp fn tn.
Proof. unfold whammingQ, whamming. rewrite zq_add4. q2r. reflexivity. Qed.

Lemma balanced_Q2R tp fp fn tn :
  Q2R (balancedQ (Z.of_nat tp) (Z.of_nat fp) (Z.of_nat fn) (Z.of_nat tn)) =
  balanced tp fp fn tn.
Proof. unfold balancedQ, balanced. rewrite !zq_add2. q2r. reflexivity. Qed.

Lemma gdice_Q2R tp fp fn tn :
  Q2R (gdiceQ (Z.of_nat tp) (Z.of_nat fp) (Z.of_nat fn) (Z.of_nat tn)) =
  gdice tp fp fn tn.
Proof. unfold gdiceQ, gdice. rewrite !zq_add2. q2r. reflexivity. Qed.

Lemma medfreq_Q2R f g tp fp fn tn :
  Q2R (medfreqQ f g (Z.of_nat tp) (Z.of_nat fp) (Z.of_nat fn) (Z.of_nat tn)) =
  medfreq (Q2R f) (Q2R g) tp fp fn tn.
Proof. unfold medfreqQ, medfreq. rewrite whamming_Q2R. q2r. reflexivity. Qed.

Definition toR (l : list (Q * Q)) : list (R * R) := map (fun v => (Q2R (fst v), Q2R (snd v))) l.

Lemma sumQ_Q2R f g l :
  (forall v, Q2R (f v) = g (Q2R (fst v), Q2R (snd v))) ->
  Q2R (sumQ f l) = sumR g (toR l).
Proof.
  intros H. induction l as [| v l IH]; simpl.
  - unfold Q2R; simpl; field.
  - rewrite Q2R_plus, IH, H. reflexivity.
Qed.

Lemma qI_Q2R l : Q2R (qI l) = sI (toR l).
Proof. apply sumQ_Q2R; intros; simpl; apply Q2R_mult. Qed.
Lemma qY_Q2R l : Q2R (qY l) = sY (toR l).
Proof. apply sumQ_Q2R; reflexivity. Qed.
Lemma qP_Q2R l : Q2R (qP l) = sP (toR l).
Proof. apply sumQ_Q2R; reflexivity. Qed.
Lemma qS_Q2R l : Q2R (qS l) = sS (toR l).
Proof. unfold qS, sS. rewrite Q2R_plus, qP_Q2R, qY_Q2R. reflexivity. Qed.
Lemma qS2_Q2R l : Q2R (qS2 l) = sS2 (toR l).
Proof.
  unfold qS2, sS2. rewrite Q2R_plus.
  rewrite (sumQ_Q2R _ (fun v => snd v * snd v)), (sumQ_Q2R _ (fun v => fst v * fst v));
    [reflexivity | intros; apply Q2R_mult | intros; apply Q2R_mult].
Qed.
Lemma qL1_Q2R l : Q2R (qL1 l) = sL1 (toR l).
Proof. apply sumQ_Q2R; intros; cbn [fst snd]; rewrite Q2R_abs, Q2R_minus; reflexivity. Qed.

Ltac soft_q2r :=
  q2r; rewrite ?qI_Q2R, ?qY_Q2R, ?qP_Q2R, ?qS_Q2R, ?qS2_Q2R, ?qL1_Q2R; q2r.

Lemma soft_dice_Q2R l : Q2R (soft_diceQ l) = soft_dice (toR l).
Proof. unfold soft_diceQ, soft_dice. soft_q2r. reflexivity. Qed.
Lemma soft_jaccard_Q2R l : Q2R (soft_jaccardQ l) = soft_jaccard (toR l).
Proof. unfold soft_jaccardQ, soft_jaccard. soft_q2r. reflexivity. Qed.
Lemma soft_dice_sq_Q2R l : Q2R (soft_dice_sqQ l) = soft_dice_sq (toR l).
Proof. unfold soft_dice_sqQ, soft_dice_sq. soft_q2r. reflexivity. Qed.
Lemma soft_jaccard_sq_Q2R l : Q2R (soft_jaccard_sqQ l) = soft_jaccard_sq (toR l).
Proof. unfold soft_jaccard_sqQ, soft_jaccard_sq. soft_q2r. reflexivity. Qed.
Lemma soft_tversky_Q2R a b l :
  Q2R (soft_tverskyQ a b l) = soft_tversky (Q2R a) (Q2R b) (toR l).
Proof. unfold soft_tverskyQ, soft_tversky. soft_q2r. reflexivity. Qed.
Lemma jml_Q2R l : Q2R (jmlQ l) = jml (toR l).
Proof. unfold jmlQ, jml. soft_q2r. reflexivity. Qed.
Lemma dml_Q2R l : Q2R (dmlQ l) = dml (toR l).
Proof. unfold dmlQ, dml. soft_q2r. reflexivity. Qed.

(** ** Helpers for the proofs *)

Lemma frac_le (a b c d : R) : 0 < b -> 0 < d -> a * d <= c * b -> a / b <= c / d.
Proof.
  intros Hb Hd H. unfold Rdiv.
  apply (Rmult_le_reg_r (b * d)); [nra |].
  replace (a * / b * (b * d)) with (a * d) by (field; lra).
  replace (c * / d * (b * d)) with (c * b) by (field; lra). exact H.
Qed.

Lemma frac_lt (a b c d : R) : 0 < b -> 0 < d -> a * d < c * b -> a / b < c / d.
Proof.
  intros Hb Hd H. unfold Rdiv.
  apply (Rmult_lt_reg_r (b * d)); [nra |].
  replace (a * / b * (b * d)) with (a * d) by (field; lra).
  replace (c * / d * (b * d)) with (c * b) by (field; lra). exact H.
Qed.

Lemma INR_ge1 (k : nat) : (1 <= k)%nat -> 1 <= INR k.
Proof. intros H. apply (le_INR 1). exact H. Qed.

Ltac pos_counts :=
  repeat match goal with
  | |- context [INR ?k] =>
      lazymatch goal with
      | _ : 0 <= INR k |- _ => fail
      | _ => pose proof (pos_INR k)
      end
  end.

(** Every real is below some natural (Archimedes). *)
Lemma nat_above (x : R) : exists n : nat, x < INR n.
Proof.
  destruct (archimed (Rabs x)) as [H _].
  assert (P : (0 < up (Rabs x))%Z) by (apply lt_0_IZR; pose proof (Rabs_pos x); lra).
  exists (Z.to_nat (up (Rabs x))). rewrite INR_IZR_INZ, Z2Nat.id by lia.
  pose proof (Rle_abs x). lra.
Qed.

(** The error-weight of a weighted Hamming numerator lies between μ·s and ν·s. *)
Lemma weight_bounds (w x y : R) : 0 <= w <= 1 -> 0 <= x -> 0 <= y ->
  Rmin w (1 - w) * (x + y) <= w * y + (1 - w) * x <= Rmax w (1 - w) * (x + y).
Proof.
  intros Hw Hx Hy. unfold Rmin, Rmax. destruct (Rle_dec w (1 - w)); split; nra.
Qed.
