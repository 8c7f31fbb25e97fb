using System.Text;
using System.Text.RegularExpressions;
using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>String operations of the <c>str</c> accessor.</summary>
internal enum StrOp
{
    Contains,
    StartsWith,
    EndsWith,
    Lower,
    Upper,
    Len,
    Replace,
    SplitPart,
}

/// <summary>Datetime parts and rounding of the <c>dt</c> accessor.</summary>
internal enum DtOp
{
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    DayOfWeek,
    Floor,
    Days,
    TotalSeconds,
}

/// <summary>Kernels over UTF-8 string and timestamp arrays; missing values stay missing.</summary>
internal static class Text
{
    /// <summary>Applies a string operation. Arguments: a pattern (Contains, StartsWith, EndsWith), pattern and replacement (Replace), separator and piece (SplitPart), and a regex flag.</summary>
    public static IArrowArray Apply(IArrowArray array, StrOp op, string? a, string? b, int piece, bool regex)
    {
        if (array is not StringArray s)
        {
            throw new ArgumentException($"str.{op}: needs a string column, not {DTypes.Of(array).Name()}.");
        }

        int n = s.Length;
        var valid = new Validity(s);
        ReadOnlySpan<int> offsets = s.ValueOffsets;
        ReadOnlySpan<byte> data = s.Values;
        byte[]? validity = null;
        int nulls = s.NullCount;
        if (nulls > 0)
        {
            var vb = new BitmapBuilder(n);
            for (int i = 0; i < n; i++)
            {
                if (valid[i])
                {
                    vb.Set(i);
                }
            }

            validity = vb.Bits;
        }

        switch (op)
        {
            case StrOp.Contains or StrOp.StartsWith or StrOp.EndsWith:
            {
                byte[] pattern = Encoding.UTF8.GetBytes(a!);
                Regex? re = regex && op == StrOp.Contains ? new Regex(a!, RegexOptions.CultureInvariant) : null;
                var bits = new BitmapBuilder(n);
                for (int i = 0; i < n; i++)
                {
                    if (!valid[i])
                    {
                        continue;
                    }

                    ReadOnlySpan<byte> v = data.Slice(offsets[i], offsets[i + 1] - offsets[i]);
                    bool hit = op switch
                    {
                        StrOp.StartsWith => v.StartsWith(pattern),
                        StrOp.EndsWith => v.EndsWith(pattern),
                        _ when re is not null => re.IsMatch(Encoding.UTF8.GetString(v)),
                        _ => v.IndexOf(pattern) >= 0,
                    };
                    if (hit)
                    {
                        bits.Set(i);
                    }
                }

                return Arrays.Bool(bits.Bits, n, validity, nulls);
            }

            case StrOp.Len:
            {
                byte[] bytes = Arrays.Alloc<long>(n, out Span<long> dst);
                for (int i = 0; i < n; i++)
                {
                    // Code points, as Python's len: UTF-8 bytes that are not continuation bytes.
                    ReadOnlySpan<byte> v = data.Slice(offsets[i], offsets[i + 1] - offsets[i]);
                    long count = 0;
                    foreach (byte x in v)
                    {
                        if ((x & 0xC0) != 0x80)
                        {
                            count++;
                        }
                    }

                    dst[i] = count;
                }

                return Arrays.Primitive(DType.Int64.ToArrow(), bytes, n, validity, nulls);
            }

            default:
            {
                var builder = new StringArrayBuilder(n, data.Length);
                Regex? re = regex && op == StrOp.Replace ? new Regex(a!, RegexOptions.CultureInvariant) : null;
                byte[] scratch = new byte[256];
                for (int i = 0; i < n; i++)
                {
                    if (!valid[i])
                    {
                        builder.AppendNull();
                        continue;
                    }

                    ReadOnlySpan<byte> v = data.Slice(offsets[i], offsets[i + 1] - offsets[i]);
                    if (op == StrOp.Lower && Ascii.IsValid(v))
                    {
                        // ASCII fast path: lower-case the bytes directly.
                        if (scratch.Length < v.Length)
                        {
                            scratch = new byte[v.Length * 2];
                        }

                        Ascii.ToLower(v, scratch, out int written);
                        builder.Append(scratch.AsSpan(0, written));
                        continue;
                    }

                    string text = Encoding.UTF8.GetString(v);
                    string? result = op switch
                    {
                        StrOp.Lower => text.ToLowerInvariant(),
                        StrOp.Upper => text.ToUpperInvariant(),
                        StrOp.Replace when re is not null => re.Replace(text, b!),
                        StrOp.Replace => text.Replace(a!, b!, StringComparison.Ordinal),
                        _ => Piece(text, a!, piece),
                    };
                    if (result is null)
                    {
                        builder.AppendNull();
                    }
                    else
                    {
                        builder.Append(result.AsSpan());
                    }
                }

                return builder.Build();
            }
        }
    }

    /// <summary>Piece <paramref name="index"/> of the text split at <paramref name="separator"/> (null when there are fewer pieces); the last column keeps the rest, as pandas' <c>split(n=…, expand=True)</c>.</summary>
    private static string? Piece(string text, string separator, int index)
    {
        // index encodes (piece << 16) | n: the piece wanted and the most splits.
        int n = index & 0xFFFF;
        int wanted = index >> 16;
        string[] parts = separator.Length == 0
            ? text.Split((char[]?)null, n + 1, StringSplitOptions.RemoveEmptyEntries)
            : text.Split(separator, n + 1);
        return wanted < parts.Length ? parts[wanted] : null;
    }

    /// <summary>A datetime part (int32; DayOfWeek has Monday = 0, as pandas) or, for Floor, the timestamp rounded down to a multiple of <paramref name="floorMicros"/>.</summary>
    public static IArrowArray Apply(IArrowArray array, DtOp op, long floorMicros)
    {
        if (array is not TimestampArray t)
        {
            throw new ArgumentException($"dt.{op}: needs a timestamp column, not {DTypes.Of(array).Name()}.");
        }

        // Every table holds microseconds (Table.Create rescales other units).
        int n = t.Length;
        ReadOnlySpan<long> raw = t.Values;
        var valid = new Validity(t);
        byte[]? validity = null;
        int nulls = t.NullCount;
        if (nulls > 0)
        {
            var vb = new BitmapBuilder(n);
            for (int i = 0; i < n; i++)
            {
                if (valid[i])
                {
                    vb.Set(i);
                }
            }

            validity = vb.Bits;
        }

        if (op == DtOp.Floor)
        {
            byte[] fb = Arrays.Alloc<long>(n, out Span<long> fd);
            for (int i = 0; i < n; i++)
            {
                long us = raw[i];
                fd[i] = us - (((us % floorMicros) + floorMicros) % floorMicros);
            }

            return Arrays.Primitive(DType.Timestamp.ToArrow(), fb, n, validity, nulls);
        }

        byte[] bytes = Arrays.Alloc<int>(n, out Span<int> dst);
        for (int i = 0; i < n; i++)
        {
            DateTime d = DateTime.UnixEpoch.AddTicks(raw[i] * 10);
            dst[i] = op switch
            {
                DtOp.Year => d.Year,
                DtOp.Month => d.Month,
                DtOp.Day => d.Day,
                DtOp.Hour => d.Hour,
                DtOp.Minute => d.Minute,
                DtOp.Second => d.Second,
                _ => ((int)d.DayOfWeek + 6) % 7,
            };
        }

        return Arrays.Primitive(DType.Int32.ToArrow(), bytes, n, validity, nulls);
    }
}
