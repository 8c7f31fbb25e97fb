using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Tessera.DataFrames.Kernels;

/// <summary>
/// Dictionary-encoded string columns (pandas' categoricals) over Arrow <see cref="DictionaryArray"/>:
/// int32 codes into a dictionary of distinct strings kept in ordinal order, so comparing codes
/// compares values. A partition's dictionary is its categories; a frame's categories are known when
/// its meta carries a non-empty dictionary (every partition then uses that one).
/// </summary>
internal static class Categorical
{
    public static readonly DictionaryType Type = new(Int32Type.Default, StringType.Default, false);

    public static bool IsCategory(IArrowType type) => type is DictionaryType { ValueType.TypeId: ArrowTypeId.String };

    /// <summary>An array of <paramref name="length"/> nulls over the given categories (none: unknown categories).</summary>
    public static DictionaryArray Nulls(DictionaryType type, int length, StringArray? dictionary = null) =>
        new(type, Arrays.Nulls(type.IndexType, length), dictionary ?? (StringArray)Arrays.Nulls(StringType.Default, 0));

    /// <summary>The codes, with -1 for missing values (pandas' <c>cat.codes</c>).</summary>
    public static int[] Codes(DictionaryArray a)
    {
        int[] codes = Numeric.As<int>(a.Indices, out _).ToArray();
        var valid = new Validity(a);
        if (!valid.AllValid)
        {
            for (int i = 0; i < codes.Length; i++)
            {
                if (!valid[i])
                {
                    codes[i] = -1;
                }
            }
        }

        return codes;
    }

    /// <summary>The dictionary entries as strings.</summary>
    public static string[] Categories(DictionaryArray a)
    {
        var d = (StringArray)a.Dictionary;
        return [.. Enumerable.Range(0, d.Length).Select(i => d.GetString(i))];
    }

    /// <summary>Encodes strings against <paramref name="categories"/> (values not among them become missing, as pandas), or, when null, against their own distinct values in ordinal order.</summary>
    public static DictionaryArray Encode(StringArray values, IReadOnlyList<string>? categories)
    {
        string[] dictionary = categories is null
            ? [.. Enumerable.Range(0, values.Length).Where(i => !values.IsNull(i)).Select(i => values.GetString(i)).Distinct().Order(StringComparer.Ordinal)]
            : [.. categories];
        var position = new Dictionary<string, int>(dictionary.Length, StringComparer.Ordinal);
        for (int i = 0; i < dictionary.Length; i++)
        {
            position[dictionary[i]] = i;
        }

        var codes = new int[values.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = values.IsNull(i) || !position.TryGetValue(values.GetString(i), out int c) ? -1 : c;
        }

        return FromCodes(codes, Dictionary(dictionary));
    }

    /// <summary>The values as a plain string array.</summary>
    public static StringArray Decode(DictionaryArray a) => (StringArray)Arrays.Take(a.Dictionary, Codes(a));

    /// <summary>A dictionary array as plain strings (for kernels that compare or hash values); other arrays unchanged.</summary>
    public static IArrowArray Plain(IArrowArray a) => a is DictionaryArray d ? Decode(d) : a;

    /// <summary>For sorting: a dictionary array's rank of each value among the dictionary's entries (int32, nulls kept); other arrays unchanged.</summary>
    public static IArrowArray SortKey(IArrowArray a)
    {
        if (a is not DictionaryArray d)
        {
            return a;
        }

        var dictionary = (StringArray)d.Dictionary;
        int[] byValue = [.. Enumerable.Range(0, dictionary.Length)];
        System.Array.Sort(byValue, (x, y) => dictionary.GetBytes(x).SequenceCompareTo(dictionary.GetBytes(y)));
        var rank = new int[byValue.Length];
        for (int r = 0; r < byValue.Length; r++)
        {
            rank[byValue[r]] = r;
        }

        int[] codes = Codes(d);
        byte[] bytes = Arrays.Alloc<int>(codes.Length, out Span<int> keys);
        for (int i = 0; i < codes.Length; i++)
        {
            keys[i] = codes[i] < 0 ? 0 : rank[codes[i]];
        }

        return Arrays.Primitive(Int32Type.Default, bytes, codes.Length, d.NullCount == 0 ? null : Compute.CopyValidity(d, out _), d.NullCount);
    }

    /// <summary>Gathers rows; the dictionary is kept.</summary>
    public static DictionaryArray Take(DictionaryArray a, ReadOnlySpan<int> indices) =>
        new((DictionaryType)a.Data.DataType, Arrays.Take(a.Indices, indices), a.Dictionary);

    /// <summary>Concatenates; when the dictionaries differ, the result's dictionary is their sorted union and codes are remapped.</summary>
    public static DictionaryArray Concat(IReadOnlyList<IArrowArray> arrays)
    {
        DictionaryArray[] parts = [.. arrays.Cast<DictionaryArray>()];
        string[][] dictionaries = [.. parts.Select(Categories)];
        string[] union = dictionaries.Skip(1).All(d => d.SequenceEqual(dictionaries[0]))
            ? dictionaries[0]
            : [.. dictionaries.SelectMany(d => d).Distinct().Order(StringComparer.Ordinal)];
        var position = new Dictionary<string, int>(union.Length, StringComparer.Ordinal);
        for (int i = 0; i < union.Length; i++)
        {
            position[union[i]] = i;
        }

        var codes = new int[parts.Sum(p => p.Length)];
        int at = 0;
        for (int p = 0; p < parts.Length; p++)
        {
            int[] remap = [.. dictionaries[p].Select(v => position[v])];
            foreach (int c in Codes(parts[p]))
            {
                codes[at++] = c < 0 ? -1 : remap[c];
            }
        }

        return FromCodes(codes, Dictionary(union));
    }

    private static DictionaryArray FromCodes(int[] codes, StringArray dictionary)
    {
        var valid = new BitmapBuilder(codes.Length);
        for (int i = 0; i < codes.Length; i++)
        {
            if (codes[i] >= 0)
            {
                valid.Set(i);
            }
            else
            {
                codes[i] = 0;
            }
        }

        int nulls = codes.Length - valid.Ones;
        IArrowArray indices = Arrays.Primitive<int>(DType.Int32, codes, nulls == 0 ? null : valid.Bits, nulls);
        return new DictionaryArray(Type, indices, dictionary);
    }

    private static StringArray Dictionary(string[] values)
    {
        var b = new StringArrayBuilder(values.Length);
        foreach (string v in values)
        {
            b.Append(Encoding.UTF8.GetBytes(v));
        }

        return b.Build();
    }
}
