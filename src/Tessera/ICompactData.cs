namespace Tessera;

/// <summary>
/// A value that can report its own size in memory and, before it leaves its process, replace
/// itself with an equal value that holds no more than it needs. An example is a view of a large
/// buffer, which should send only its own elements.
/// </summary>
/// <remarks>
/// The distributed runtime sizes such values with <see cref="SizeInBytes"/> (Dask's <c>sizeof</c>)
/// instead of walking their fields. It encodes <see cref="Compact"/>'s result in their place, as
/// NumPy pickles a view by copying its elements.
/// </remarks>
public interface ICompactData
{
    /// <summary>Gets the bytes of the elements this value holds, not counting the parts of a larger shared buffer that it does not use.</summary>
    long SizeInBytes { get; }

    /// <summary>Returns this value if it holds nothing beyond its own data; otherwise an equal value that does.</summary>
    /// <returns>The value to send.</returns>
    object Compact();
}
