namespace Tessera.Arrays;

/// <summary>
/// An array stored outside Tessera (an HDF5 dataset, a file of raw values) that
/// <see cref="DArray.FromSource{T}(IArraySource{T}, ChunkSpec?)"/> reads block by block: Dask's
/// <c>from_array</c> over an array-like object.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// The source is a literal of every block's task: it must be immutable and cheap to copy, and, to
/// run on worker processes, serializable (a record of a path and a name, say, not an open handle).
/// <see cref="Read"/> may run on several threads at once.
/// </remarks>
public interface IArraySource<T>
    where T : unmanaged
{
    /// <summary>Gets the shape.</summary>
    IReadOnlyList<long> Shape { get; }

    /// <summary>Gets the storage's own chunk shape, which blocks are aligned with by default, or <see langword="null"/> when it has none.</summary>
    IReadOnlyList<int>? StorageChunks { get; }

    /// <summary>Gets a string that identifies the data: equal for equal data (the file and its modification time, say), so that graph keys are deterministic.</summary>
    string Token { get; }

    /// <summary>Reads one block.</summary>
    /// <param name="start">The block's first index along each axis.</param>
    /// <param name="shape">The block's shape.</param>
    /// <returns>The block, of shape <paramref name="shape"/>.</returns>
    NDArray<T> Read(long[] start, int[] shape);
}
