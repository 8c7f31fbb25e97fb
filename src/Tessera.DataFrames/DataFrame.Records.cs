namespace Tessera.DataFrames;

/// <summary>Frames of in-memory records.</summary>
public sealed partial class DataFrame
{
    /// <summary>
    /// Makes a frame of records in memory (pandas' <c>DataFrame.from_records</c>, then Dask's
    /// <c>from_pandas</c>): one column per public readable property of <typeparamref name="T"/>, in
    /// declaration order, typed by the property (integers, floats, bool, string, DateTime or
    /// DateTimeOffset as timestamps, DateOnly as dates, TimeSpan as durations; nullable types give
    /// missing values, as do null strings), split into <paramref name="npartitions"/> row ranges.
    /// </summary>
    /// <typeparam name="T">A record, class or struct type with public properties.</typeparam>
    /// <param name="records">The records; enumerated once, now.</param>
    /// <param name="npartitions">How many partitions (at most one per record; default 1).</param>
    /// <returns>The frame, with unknown divisions.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no public readable properties.</exception>
    /// <exception cref="NotSupportedException">A property's type cannot be a column; the message names the property.</exception>
    /// <exception cref="InvalidOperationException">A record is null.</exception>
    public static DataFrame FromEnumerable<T>(IEnumerable<T> records, int npartitions = 1)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(npartitions, 1);
        (string Name, DType Type)[] meta = BagConversion.RecordMeta<T>("FromEnumerable");
        return FromTable(BagConversion.RecordsToTable("FromEnumerable", records, meta, "the records"), npartitions);
    }
}
