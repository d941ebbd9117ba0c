/**
 * Rotary position embeddings (Su et al., 2021, "RoFormer: Enhanced Transformer with Rotary Position
 * Embedding", §3.4.2), in Hugging Face Llama's "rotate half" layout: the head's first and second halves
 * are the two coordinates of each rotated pair, pair i turning by angle p·θ^(−2i/hs) at position p.
 */
import { cat, tensor, tidy, type Tensor } from '../tensor/index.js';

/**
 * cos and sin of every position's angles, (B or 1, 1, T, hs) each, the halves repeated.
 * @param positionIds (B or 1, T) int64 positions.
 * @param headSize hs (even).
 * @param theta the base θ (10000 in RoFormer and Llama).
 */
export function rotaryAngles(positionIds: Tensor, headSize: number, theta: number): { cos: Tensor; sin: Tensor } {
  return tidy(() => {
    const invFreq = tensor(Float32Array.from({ length: headSize / 2 }, (_, i) => 1 / theta ** ((2 * i) / headSize))); // θ^(−2i/hs), (hs/2)
    const [B, T] = positionIds.shape as [number, number];
    const freqs = positionIds
      .to('float32')
      .view([B, T, 1])
      .mul(invFreq.view([1, 1, headSize / 2])); // (B, T, hs/2)
    const emb = cat([freqs, freqs], -1).unsqueeze(1); // (B, 1, T, hs)
    return { cos: emb.cos(), sin: emb.sin() };
  });
}

/** x·cos + rotate_half(x)·sin, with rotate_half([x₁, x₂]) = [−x₂, x₁]: x (B, n, T, hs) → (B, n, T, hs). */
export function applyRotary(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  return tidy(() => {
    const half = (x.shape[3] as number) / 2;
    const rotated = cat([x.narrow(3, half, half).neg(), x.narrow(3, 0, half)], 3);
    return x.mul(cos).add(rotated.mul(sin));
  });
}
