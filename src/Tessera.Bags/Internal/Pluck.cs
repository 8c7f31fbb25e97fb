using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Bags.Internal;

/// <summary>Dask's <c>pluck</c>: one member of each record, by key (JSON objects, dictionaries) or by index (lists, arrays, tuples, JSON arrays).</summary>
internal static class Pluck
{
    private const int MaxShown = 120;

    public static IEnumerable<TValue> ByKey<T, TValue>(string key, bool hasDefault, TValue defaultValue, string origin, IEnumerable<T> items)
    {
        long index = 0;
        foreach (T item in items)
        {
            yield return GetByKey(item, key, hasDefault, defaultValue, origin, index++);
        }
    }

    public static IEnumerable<TValue> ByIndex<T, TValue>(int position, bool hasDefault, TValue defaultValue, string origin, IEnumerable<T> items)
    {
        long index = 0;
        foreach (T item in items)
        {
            yield return GetByIndex(item, position, hasDefault, defaultValue, origin, index++);
        }
    }

    private static TValue GetByKey<TValue>(object? record, string key, bool hasDefault, TValue defaultValue, string origin, long index)
    {
        switch (record)
        {
            case JsonObject o:
                if (o.TryGetPropertyValue(key, out JsonNode? node))
                {
                    return FromNode<TValue>(node, key);
                }

                break;
            case IReadOnlyDictionary<string, TValue> d:
                if (d.TryGetValue(key, out TValue? value))
                {
                    return value;
                }

                break;
            case IDictionary<string, TValue> d:
                if (d.TryGetValue(key, out TValue? v2))
                {
                    return v2;
                }

                break;
            case IReadOnlyDictionary<string, object?> d:
                if (d.TryGetValue(key, out object? v3))
                {
                    return FromObject<TValue>(v3, key);
                }

                break;
            case IDictionary d:
                if (d.Contains(key))
                {
                    return FromObject<TValue>(d[key], key);
                }

                break;
            case JsonElement { ValueKind: JsonValueKind.Object } e:
                if (e.TryGetProperty(key, out JsonElement p))
                {
                    return p.Deserialize<TValue>()!;
                }

                break;
            default:
                throw new InvalidOperationException(
                    $"Pluck: item {index} of {origin} is {Describe(record)}, which has no keys; Pluck(\"{key}\") works on JSON objects and " +
                    "dictionaries with string keys (use Select(r => r.Member) for typed records).");
        }

        return hasDefault
            ? defaultValue
            : throw new KeyNotFoundException(
                $"Pluck: key '{key}' is missing from item {index} of {origin}: {Describe(record)}; pass a default (Pluck(\"{key}\", defaultValue)) or filter such items out first.");
    }

    private static TValue GetByIndex<TValue>(object? record, int position, bool hasDefault, TValue defaultValue, string origin, long index)
    {
        int length;
        switch (record)
        {
            case IReadOnlyList<TValue> l:
                if ((uint)position < (uint)l.Count)
                {
                    return l[position];
                }

                length = l.Count;
                break;
            case JsonArray a:
                if ((uint)position < (uint)a.Count)
                {
                    return FromNode<TValue>(a[position], position.ToString(CultureInfo.InvariantCulture));
                }

                length = a.Count;
                break;
            case IList l:
                if ((uint)position < (uint)l.Count)
                {
                    return FromObject<TValue>(l[position], position.ToString(CultureInfo.InvariantCulture));
                }

                length = l.Count;
                break;
            case ITuple t:
                if ((uint)position < (uint)t.Length)
                {
                    return FromObject<TValue>(t[position], position.ToString(CultureInfo.InvariantCulture));
                }

                length = t.Length;
                break;
            default:
                throw new InvalidOperationException(
                    $"Pluck: item {index} of {origin} is {Describe(record)}, which has no positions; Pluck({position}) works on lists, arrays, tuples and JSON arrays.");
        }

        return hasDefault
            ? defaultValue
            : throw new KeyNotFoundException(
                $"Pluck: index {position} is out of range for item {index} of {origin}, which has {length} elements: {Describe(record)}; pass a default or filter such items out first.");
    }

    private static TValue FromNode<TValue>(JsonNode? node, string key)
    {
        if (node is null)
        {
            return default!;
        }

        if (node is TValue same)
        {
            return same;
        }

        try
        {
            return node is JsonValue v && v.TryGetValue(out TValue? value) ? value : node.Deserialize<TValue>()!;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidCastException($"Pluck: the value of '{key}' ({Shorten(node.ToJsonString())}) is not a {typeof(TValue)}.", e);
        }
    }

    private static TValue FromObject<TValue>(object? value, string key)
    {
        switch (value)
        {
            case TValue t:
                return t;
            case null:
                return default!;
            case IConvertible when typeof(TValue) != typeof(object) && Nullable.GetUnderlyingType(typeof(TValue)) is null && typeof(IConvertible).IsAssignableFrom(typeof(TValue)):
                try
                {
                    return (TValue)Convert.ChangeType(value, typeof(TValue), CultureInfo.InvariantCulture);
                }
                catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
                {
                    throw new InvalidCastException($"Pluck: the value of '{key}' ({value}, a {value.GetType()}) is not a {typeof(TValue)}.", e);
                }

            default:
                throw new InvalidCastException($"Pluck: the value of '{key}' ({Shorten(value.ToString() ?? string.Empty)}, a {value.GetType()}) is not a {typeof(TValue)}.");
        }
    }

    private static string Describe(object? record) => record switch
    {
        null => "null",
        JsonNode n => Shorten(n.ToJsonString()),
        JsonElement e => Shorten(e.GetRawText()),
        IDictionary d => $"a {record.GetType().Name} with keys [{Shorten(string.Join(", ", d.Keys.Cast<object>()))}]",
        _ => $"a {record.GetType().Name} ({Shorten(record.ToString() ?? string.Empty)})",
    };

    private static string Shorten(string text) => text.Length <= MaxShown ? text : text[..MaxShown] + "…";
}
