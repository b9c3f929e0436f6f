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

(** ** The Pell maximiser on n voxels

    [pell k] = (P_k, Q_k): (0, 1), (1, 1), (2, 3), (5, 7), (12, 17), … with
    Q² − 2P² = ±1.  A pair (t, e) with a strictly larger gap than (P, Q) has
    (eP − Qt)(2Pt − eQ) > 0, and the lattice argument of the proof file then forces
    t ≥ P + Q and e ≥ 2P + Q, so t + e ≥ 3P + 2Q = P_{k+2}. *)

Fixpoint pell (k : nat) : nat * nat :=
  match k with
  | O => (0%nat, 1%nat)
  | S k => let (p, q) := pell k in (p + q, 2 * p + q)%nat
  end.

Section Lattice.
Open Scope Z_scope.

Lemma lattice (P Q t e : Z) : (1 <= P)%Z -> 1 <= Q -> 0 <= t -> 0 <= e ->
  (Q * Q - 2 * P * P = 1 \/ Q * Q - 2 * P * P = -1) ->
  0 < (e * P - Q * t) * (2 * P * t - e * Q) ->
  P + Q <= t /\ 2 * P + Q <= e.
Proof.
  intros HP HQ Ht He D Pos.
  set (u := e * P - Q * t) in *. set (v := 2 * P * t - e * Q) in *.
  assert (It : t * (Q * Q - 2 * P * P) = - Q * u - P * v) by (unfold u, v; ring).
  assert (Ie : e * (Q * Q - 2 * P * P) = - 2 * P * u - Q * v) by (unfold u, v; ring).
  clearbody u v.
  assert (S : (1 <= u /\ 1 <= v) \/ (u <= -1 /\ v <= -1)).
  { destruct (Z_lt_le_dec 0 u) as [U | U]; destruct (Z_lt_le_dec 0 v) as [V | V].
    - left; lia.
    - exfalso. assert (u * v <= 0) by (apply Z.mul_nonneg_nonpos; lia). lia.
    - exfalso. assert (u * v <= 0) by (rewrite Z.mul_comm; apply Z.mul_nonneg_nonpos; lia). lia.
    - destruct (Z.eq_dec u 0) as [-> | Nu]; [lia |].
      destruct (Z.eq_dec v 0) as [-> | Nv]; [lia |]. right; lia. }
  destruct S as [[U V] | [U V]].
  - assert (Qu : Q <= Q * u) by nia. assert (Pv : P <= P * v) by nia.
    assert (Pu : 2 * P <= 2 * P * u) by nia. assert (Qv : Q <= Q * v) by nia.
    destruct D as [D | D]; rewrite D in It, Ie; lia.
  - assert (Qu : Q * u <= - Q) by nia. assert (Pv : P * v <= - P) by nia.
    assert (Pu : 2 * P * u <= - (2 * P)) by nia. assert (Qv : Q * v <= - Q) by nia.
    destruct D as [D | D]; rewrite D in It, Ie; lia.
Qed.

End Lattice.

Lemma pell_step k :
  pell (S k) = (fst (pell k) + snd (pell k), 2 * fst (pell k) + snd (pell k))%nat.
Proof. simpl. destruct (pell k); reflexivity. Qed.

Definition pell_ok (p q : nat) : Prop :=
  (1 <= p)%nat /\ (1 <= q)%nat /\
  ((Z.of_nat q * Z.of_nat q - 2 * Z.of_nat p * Z.of_nat p = 1)%Z \/
   (Z.of_nat q * Z.of_nat q - 2 * Z.of_nat p * Z.of_nat p = -1)%Z).

Lemma pell_facts k : pell_ok (fst (pell (S k))) (snd (pell (S k))).
Proof.
  induction k as [| k IH].
  - unfold pell_ok. simpl. split; [lia | split; [lia |]]. right. reflexivity.
  - rewrite (pell_step (S k)). cbn [fst snd].
    destruct IH as [Hp [Hq D]].
    set (p := fst (pell (S k))) in *. set (q := snd (pell (S k))) in *.
    split; [lia | split; [lia |]].
    rewrite !Nat2Z.inj_add, !Nat2Z.inj_mul.
    replace (Z.of_nat 2) with 2%Z by reflexivity.
    destruct D as [D | D]; [right | left]; nia.
Qed.

Lemma pell_core (p q t e : nat) : (1 <= p)%nat -> (1 <= q)%nat ->
  ((Z.of_nat q * Z.of_nat q - 2 * Z.of_nat p * Z.of_nat p = 1)%Z \/
   (Z.of_nat q * Z.of_nat q - 2 * Z.of_nat p * Z.of_nat p = -1)%Z) ->
  (t + e < 3 * p + 2 * q)%nat ->
  (t * e * ((p + q) * (2 * p + q)) <= p * q * ((t + e) * (2 * t + e)))%nat.
Proof.
  intros Hp Hq D Hn. apply Nat2Z.inj_le. rewrite !Nat2Z.inj_mul, !Nat2Z.inj_add.
  simpl (Z.of_nat 2). simpl (Z.of_nat 3).
  apply Z.nlt_ge. intro G.
  assert (Id : (Z.of_nat t * Z.of_nat e * ((Z.of_nat p + Z.of_nat q) * (2 * Z.of_nat p + Z.of_nat q))
     - Z.of_nat p * Z.of_nat q * ((Z.of_nat t + Z.of_nat e) * (2 * Z.of_nat t + Z.of_nat e)) =
     (Z.of_nat e * Z.of_nat p - Z.of_nat q * Z.of_nat t) *
     (2 * Z.of_nat p * Z.of_nat t - Z.of_nat e * Z.of_nat q))%Z) by ring.
  destruct (lattice (Z.of_nat p) (Z.of_nat q) (Z.of_nat t) (Z.of_nat e)) as [T E]; try lia.
Qed.

Lemma pell_gap_le (p q tp fp fn : nat) : (1 <= p)%nat -> (1 <= q)%nat ->
  ((Z.of_nat q * Z.of_nat q - 2 * Z.of_nat p * Z.of_nat p = 1)%Z \/
   (Z.of_nat q * Z.of_nat q - 2 * Z.of_nat p * Z.of_nat p = -1)%Z) ->
  (tp + (fp + fn) < 3 * p + 2 * q)%nat ->
  jaccard tp fp fn - dice tp fp fn <= jaccard p q 0 - dice p q 0.
Proof.
  intros Hp Hq D Hn. rewrite !gap_formula. simpl (INR 0). rewrite Rplus_0_r.
  pose proof (pell_core p q tp (fp + fn) Hp Hq D Hn) as C.
  apply le_INR in C. rewrite !mult_INR, !plus_INR in C.
  pose proof (pos_INR tp); pose proof (pos_INR fp); pose proof (pos_INR fn).
  assert (1 <= INR p) by (apply (le_INR 1); exact Hp). assert (1 <= INR q) by (apply (le_INR 1); exact Hq).
  destruct (Req_dec (INR tp + (INR fp + INR fn)) 0) as [Z | NZ].
  - assert (INR tp = 0) by lra. assert (INR fp + INR fn = 0) by lra.
    rewrite H4, H5. unfold Rdiv. rewrite !Rmult_0_l.
    apply Rle_mult_inv_pos; [nra |]. nra.
  - assert (0 < INR tp + (INR fp + INR fn)) by lra.
    apply frac_le; [nra | nra |]. rewrite !mult_INR in C. simpl (INR 2) in C. lra.
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
     exists tp fp : nat, 3 - 2 * sqrt 2 - eps < jaccard tp fp 0 - dice tp fp 0) /\
  (* the Pell maximiser: on n < P_{k+2} = 3P_k + 2Q_k voxels no configuration beats
     (P_k, Q_k), which fits from n = P_{k+1} = P_k + Q_k on; the next pair beats it *)
  (forall k, let p := fst (pell (S k)) in let q := snd (pell (S k)) in
     (forall tp fp fn, (tp + fp + fn < 3 * p + 2 * q)%nat ->
        jaccard tp fp fn - dice tp fp fn <= jaccard p q 0 - dice p q 0) /\
     jaccard p q 0 - dice p q 0 = INR p * INR q / (INR (p + q) * INR (2 * p + q)) /\
     jaccard p q 0 - dice p q 0 < jaccard (p + q) (2 * p + q) 0 - dice (p + q) (2 * p + q) 0).
Proof.
  destruct sqrt2_facts as [S [S1 S2]].
  split; [| split; [| split; [| split; [exact gap_approaches |]]]].
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
  - intros k p q. pose proof (pell_facts k) as F. fold p q in F.
    clearbody p q. destruct F as [Hp [Hq D]]. split; [| split].
    + intros tp fp fn Hn. apply pell_gap_le; auto. lia.
    + rewrite gap_formula. simpl (INR 0). rewrite Rplus_0_r. rewrite !plus_INR, mult_INR.
      simpl (INR 2). first [reflexivity | f_equal; ring | f_equal; f_equal; ring].
    + rewrite !gap_formula. simpl (INR 0). rewrite !Rplus_0_r, !plus_INR, !mult_INR. simpl (INR 2).
      assert (1 <= INR p) by (apply (le_INR 1); exact Hp). assert (1 <= INR q) by (apply (le_INR 1); exact Hq).
      apply frac_lt; [nra | nra |].
      assert (DR : INR q * INR q - 2 * INR p * INR p = 1 \/ INR q * INR q - 2 * INR p * INR p = -1).
      { destruct D as [D | D]; [left | right];
          apply (f_equal IZR) in D; rewrite minus_IZR, !mult_IZR, <- !INR_IZR_INZ in D;
          simpl (IZR 2) in D; simpl (IZR 1) in D; [exact D | rewrite D; reflexivity]. }
      (* the difference is (Q² − 2P²)² · (stuff) > 0 *)
      destruct DR as [DR | DR]; nra.
Qed.
