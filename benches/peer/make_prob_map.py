"""Makes the probability map of the `measure` soft-loss benchmark (never committed).

A float32 "brain probability" on the 181x217x181 MNI grid of the mricron
templates: p = sigmoid((ch2 - 60) / 12 + noise), so nearly every voxel holds a
distinct float. The ground truth is the AAL atlas (nonzero = labelled brain).

    python make_prob_map.py OUTDIR

writes OUTDIR/prob.nii.gz (float32 NIfTI), OUTDIR/prob.npy (float32, C order),
OUTDIR/aal_mask.npy (uint8, C order) for the MONAI comparison. Needs numpy and
nibabel.
"""
import sys

import nibabel as nib
import numpy as np

out = sys.argv[1]
ch2 = nib.load("/usr/share/mricron/templates/ch2.nii.gz")
aal = nib.load("/usr/share/mricron/templates/aal.nii.gz")
x = np.asarray(ch2.dataobj).astype(np.float64)
rng = np.random.default_rng(14)
z = (x - 60.0) / 12.0 + rng.normal(scale=0.5, size=x.shape)
p = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
assert p.shape == (181, 217, 181) and 0.0 <= p.min() and p.max() <= 1.0
nib.save(nib.Nifti1Image(p, ch2.affine), f"{out}/prob.nii.gz")
np.save(f"{out}/prob.npy", np.ascontiguousarray(p))
np.save(f"{out}/aal_mask.npy", np.ascontiguousarray((np.asarray(aal.dataobj) != 0).astype(np.uint8)))
print("distinct float32 values:", np.unique(p).size)
