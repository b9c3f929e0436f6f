(** * dice-jaccard-absolute: 0 ≤ Δ_J − Δ_D < 3 − 2√2 on every count triple.

    The strict bound needs that e = √2·t has no solution in naturals with t + e > 0,
    proved here by the classical descent (e² = 2t² forces both even, then halve).
    No [interval] tactic is used, so no floating-point axioms enter. *)

From Coq Require Import Reals Lra Psatz Arith Lia.
From Diceproof Require Import defs.
Open Scope R_scope.

(** ** √2 is irrational, on naturals *)

Lemma no_sqrt2_nat : forall e t : nat, (e * e = 2 * (t * t))%nat -> e = 0%nat /\ t = 0%nat.
Proof.
  intro e. induction e as [e IH] using lt_wf_ind. intros t H.
  destruct (Nat.Even_or_Odd e) as [[k Hk] | [k Hk]]; subst e.
  - (* e = 2k: t*t = 2*k*k *)
    assert (Ht : (t * t = 2 * (k * k))%nat) by nia.
    destruct (Nat.Even_or_Odd t) as [[m Hm] | [m Hm]]; subst t.
    + assert (Hk2 : (k * k = 2 * (m * m))%nat) by nia.
      destruct (Nat.eq_dec k 0) as [-> | Hk0].
      * assert (m = 0)%nat by nia. subst. lia.
      * destruct (IH k ltac:(lia) m Hk2). lia.
    + exfalso. nia.
  - exfalso. nia.
Qed.

(** ** The real inequality *)

Lemma sqrt2_facts : sqrt 2 * sqrt 2 = 2 /\ 1 < sqrt 2 < 3 / 2.
Proof.
  pose proof (sqrt_sqrt 2 ltac:(lra)) as S.
  pose proof (sqrt_pos 2).
  split; [exact S |]. split; nra.
Qed.

Lemma gap_real (t e : R) : 0 <= t -> 0 <= e ->
  e / (t + e) - e / (2 * t + e) = t * e / ((t + e) * (2 * t + e)).
Proof.
  intros Ht He. destruct (Req_dec (t + e) 0) as [Z | NZ].
  - assert (t = 0) by lra. assert (e = 0) by lra. subst.
    replace (2 * 0 + 0) with 0 by ring. replace (0 + 0) with 0 by ring.
    unfold Rdiv. rewrite !Rmult_0_l; try rewrite Rinv_0; ring.
  - field. lra.
Qed.

Lemma gap_formula (tp fp fn : nat) :
  jaccard tp fp fn - dice tp fp fn =
  INR tp * (INR fp + INR fn) / ((INR tp + (INR fp + INR fn)) * (2 * INR tp + (INR fp + INR fn))).
Proof.
  unfold jaccard, dice. pose proof (pos_INR tp); pose proof (pos_INR fp); pose proof (pos_INR fn).
  replace (2 * INR tp + INR fp + INR fn) with (2 * INR tp + (INR fp + INR fn)) by ring.
  replace (INR tp + INR fp + INR fn) with (INR tp + (INR fp + INR fn)) by ring.
  apply gap_real; lra.
Qed.

(** ** 3 − 2√2 is approached: t = k, e = the integer just below √2·k *)

Lemma gap_approaches (eps : R) : 0 < eps ->
  exists tp fp : nat, 3 - 2 * sqrt 2 - eps < jaccard tp fp 0 - dice tp fp 0.
Proof.
  intros Heps. destruct sqrt2_facts as [S [S1 S2]].
  destruct (nat_above (1 / eps)) as [k Hk].
  assert (Pe : 0 < 1 / eps) by (apply Rdiv_lt_0_compat; lra).
  assert (K1 : 1 <= INR k) by (destruct k as [| k']; [simpl in Hk; lra |
    rewrite S_INR; pose proof (pos_INR k'); lra]).
  set (t := INR k) in *. assert (Ht : 0 < t) by lra.
  set (x := sqrt 2 * t). destruct (archimed x) as [A1 A2].
  assert (U : (0 < up x)%Z) by (apply lt_0_IZR; unfold x in *; nra).
  exists k, (Z.to_nat (up x - 1)).
  rewrite gap_formula. fold t.
  assert (Ee : INR (Z.to_nat (up x - 1)) = IZR (up x) - 1).
  { rewrite INR_IZR_INZ, Z2Nat.id by lia. rewrite minus_IZR. reflexivity. }
  rewrite Ee. simpl (INR 0). rewrite Rplus_0_r.
  set (e := IZR (up x) - 1).
  assert (E0 : 0 <= e) by (unfold e; pose proof (IZR_le 1 (up x) ltac:(lia)); lra).
  assert (Ed : -1 < e - sqrt 2 * t <= 0) by (unfold e, x in *; lra).
  assert (Sq : (e - sqrt 2 * t) ^ 2 < 1) by nra.
  assert (Sq0 : 0 <= (e - sqrt 2 * t) ^ 2) by (simpl; nra).
  set (den := (t + e) * (2 * t + e)).
  assert (Dt : t <= den) by (unfold den; assert (0 <= e * (3 * t + e)) by (apply Rmult_le_pos; lra); nra).
  assert (Id : (3 - 2 * sqrt 2) * den - t * e =
               (3 - 2 * sqrt 2) * (e - sqrt 2 * t) ^ 2 +
               (2 - sqrt 2 * sqrt 2) * ((3 - 2 * sqrt 2) * t ^ 2 + 4 * t * e)) by (unfold den; ring).
  rewrite S in Id.
  assert (Big : 1 < eps * den).
  { assert (eps * (1 / eps) = 1) by (field; lra).
    assert (eps * (1 / eps) < eps * den) by (apply Rmult_lt_compat_l; lra). lra. }
  assert (Small : (3 - 2 * sqrt 2) * (e - sqrt 2 * t) ^ 2 < 1) by nra.
  replace (3 - 2 * sqrt 2 - eps) with ((3 - 2 * sqrt 2 - eps) / 1) by field.
  apply frac_lt; [lra | unfold den in *; nra |]. fold den. nra.
Qed.

Theorem dice_jaccard_absolute :
  (forall tp fp fn : nat,
     0 <= jaccard tp fp fn - dice tp fp fn < 3 - 2 * sqrt 2) /\
  (forall tp fp fn : nat,
     jaccard tp fp fn - dice tp fp fn =
     INR tp * (INR fp + INR fn) /
       ((INR tp + (INR fp + INR fn)) * (2 * INR tp + (INR fp + INR fn)))) /\
  (forall g : R, g < 3 -> (g <= 3 - 2 * sqrt 2 <-> 8 <= (3 - g) ^ 2)) /\
  (forall eps : R, 0 < eps ->
     exists tp fp : nat, 3 - 2 * sqrt 2 - eps < jaccard tp fp 0 - dice tp fp 0).
Proof.
  destruct sqrt2_facts as [S [S1 S2]].
  split; [| split; [| split; [| exact gap_approaches]]].
  - intros tp fp fn. rewrite gap_formula.
    pose proof (pos_INR tp); pose proof (pos_INR fp); pose proof (pos_INR fn).
    set (t := INR tp) in *. set (e := INR fp + INR fn).
    assert (0 <= e) by (unfold e; lra).
    destruct (Req_dec (t + e) 0) as [Z | NZ].
    + assert (t = 0) by lra. assert (e = 0) by lra. rewrite H3, H4.
      unfold Rdiv. rewrite !Rmult_0_l; try rewrite Rinv_0; nra.
    + assert (0 < t + e) by lra. split.
      * apply Rle_mult_inv_pos; [nra |]. nra.
      * assert (NE : e - sqrt 2 * t <> 0).
        { intro E.
          assert (E2 : e * e = 2 * (t * t)).
          { replace e with (sqrt 2 * t) by lra.
            replace (sqrt 2 * t * (sqrt 2 * t)) with ((sqrt 2 * sqrt 2) * (t * t)) by ring.
            rewrite S. ring. }
          unfold e, t in E2. rewrite <- plus_INR, <- !mult_INR in E2.
          replace 2 with (INR 2) in E2 by reflexivity. rewrite <- mult_INR in E2.
          apply INR_eq in E2. apply no_sqrt2_nat in E2 as [E3 E4].
          apply NZ. unfold t, e. rewrite <- plus_INR, E3, E4. simpl. ring. }
        assert (Sq : 0 < (e - sqrt 2 * t) ^ 2) by (simpl; rewrite Rmult_1_r; apply Rsqr_pos_lt; exact NE).
        (* The deficit (3 − 2√2)·den − t·e is (3 − 2√2)(e − √2 t)², once √2² = 2. *)
        assert (Id : (3 - 2 * sqrt 2) * ((t + e) * (2 * t + e)) - t * e =
                     (3 - 2 * sqrt 2) * (e - sqrt 2 * t) ^ 2 +
                     (2 - sqrt 2 * sqrt 2) * ((3 - 2 * sqrt 2) * t ^ 2 + 4 * t * e)) by ring.
        rewrite S in Id.
        replace (3 - 2 * sqrt 2) with ((3 - 2 * sqrt 2) / 1) by field.
        apply frac_lt; nra.
  - intros. apply gap_formula.
  - intros g Hg. split.
    + intro H. assert (2 * sqrt 2 <= 3 - g) by lra. nra.
    + intro H. destruct (Rle_dec g (3 - 2 * sqrt 2)) as [ok | ko]; [exact ok |].
      exfalso. assert (0 <= 3 - g < 2 * sqrt 2) by lra. nra.
Qed.
