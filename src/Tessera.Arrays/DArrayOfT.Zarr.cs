namespace Tessera.Arrays;

/// <content>Writing Zarr stores.</content>
public sealed partial class DArray<TElement>
{
    /// <summary>
    /// Writes the array as a new Zarr directory store (v2 or v3), one chunk file per block, in
    /// parallel on the configured scheduler. The blocks must be regular (all of one size per axis
    /// but the last); each chunk file is written to a temporary name and renamed.
    /// </summary>
    /// <param name="path">The store's directory.</param>
    /// <param name="options">Format, compressor and overwrite; by default v2 with zlib level 1.</param>
    /// <returns>The number of chunk bytes written.</returns>
    public long ToZarr(string path, ZarrOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireKnownChunks("to_zarr");
        for (int a = 0; a < NDim; a++)
        {
            int[] c = _chunks[a];
            if (c.Length > 1 && (c[..^1].Any(x => x != c[0]) || c[^1] > c[0]))
            {
                throw new ArgumentException(
                    $"to_zarr: the chunks of axis {a}, ({string.Join(", ", c)}), are irregular; Zarr needs equal chunks (the last may be smaller). Rechunk first, e.g. Rechunk({c[0]}).");
            }
        }

        ZarrArray target = ZarrArray.Create(path, ShapeArray, [.. _chunks.Select(c => c.Length == 0 ? 1 : Math.Max(1, c[0]))], DType, options);
        return DArray.Store(Into(target));
    }

    /// <summary>
    /// Writes the array into a region of an existing Zarr array (Dask's <c>to_zarr(url, region=...)</c>);
    /// see <see cref="DArray.Store(IEnumerable{ZarrWrite})"/> for how chunks that the region covers in part are merged.
    /// </summary>
    /// <param name="target">The existing array (<see cref="ZarrArray.Open"/> or <see cref="ZarrArray.Create"/>).</param>
    /// <param name="region">One slice with step 1 per leading axis of the target (missing axes: whole); none writes the whole target.</param>
    /// <returns>The number of chunk bytes written.</returns>
    public long ToZarr(ZarrArray target, params Ix[] region) => DArray.Store(Into(target, region));

    /// <summary>
    /// Describes a write of this array into a region of an existing Zarr array, for
    /// <see cref="DArray.Store(IEnumerable{ZarrWrite})"/>; the region, shape and dtype are checked now.
    /// </summary>
    /// <param name="target">The existing array.</param>
    /// <param name="region">One slice with step 1 per leading axis of the target (missing axes: whole).</param>
    /// <returns>The write.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The region is out of the target's bounds.</exception>
    /// <exception cref="ArgumentException">The region is not made of slices with step 1, or its shape or the target's dtype differ from the array's.</exception>
    public ZarrWrite Into(ZarrArray target, params Ix[] region)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(region);
        RequireKnownChunks("store");
        if (target.DType != DType)
        {
            throw new ArgumentException($"store: the source {Name} holds {DType.NumPyName()} but the target {target} holds {target.DType.NumPyName()}; convert with AsType<{target.DType.ClrType().Name}>() first.", nameof(target));
        }

        (long[] start, long[] stop) = target.Region(region, "store");
        long[] regionShape = [.. start.Select((s, a) => stop[a] - s)];
        if (!regionShape.AsSpan().SequenceEqual(ShapeArray))
        {
            throw new ArgumentException(
                $"store: the source's shape {Shapes.Format(ShapeArray)} does not match the region {ZarrArray.FormatRegion(region)} of shape {Shapes.Format(regionShape)} in target {target}.", nameof(region));
        }

        return new ZarrWrite(this, target, start, ZarrFunctions<TElement>.Write);
    }
}
