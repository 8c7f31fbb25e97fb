using System.Collections;
using System.Reflection;
using Tessera.Distributed.Serialization;

namespace Tessera.Distributed.Tests.Serialization;

public sealed record Person(string Name, int Age, IReadOnlyList<string> Tags);

public record struct Vec(double X, double Y, double Z);

public readonly record struct Labelled(string Label, double Value);

public enum Color : byte
{
    Red,
    Green,
    Blue,
}

[Flags]
public enum Wide : ulong
{
    None = 0,
    Top = 1UL << 63,
}

public class PlainData
{
    private double _secret;

    public int Number { get; set; }

    public string? Text { get; set; }

    public List<int> Items { get; set; } = [];

    public double Secret => _secret;

    public static PlainData Create(int n, string? text, double secret) => new() { Number = n, Text = text, Items = [n, n + 1], _secret = secret };
}

public sealed class Derived : PlainData
{
    public Guid Id { get; set; }
}

public sealed class Cyclic
{
    public Cyclic? Next { get; set; }

    public int Value { get; set; }
}

/// <summary>Round trips through a serializer and a session that trusts this application's assemblies.</summary>
internal static class RoundTrip
{
    public static TesseraSerializer Serializer { get; } = new();

    public static CodeSession Session { get; } = new("tests", trustApplicationAssemblies: true);

    public static object? Value(object? value, TesseraSerializer? serializer = null)
    {
        serializer ??= Serializer;
        SerializedMessage message = serializer.SerializeValue(value);
        // Through the self-contained block form too, as a file or a second process would see it.
        return serializer.DeserializeValue(SerializedMessage.FromArray(message.ToArray()), Session);
    }
}

/// <summary>Structural equality for round-trip checks: same runtime types, same content, field by field.</summary>
internal static class Deep
{
    public static void Equal(object? expected, object? actual, string path = "value")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }

        Type type = expected.GetType();
        Assert.True(type == actual.GetType(), $"{path}: expected type {type}, got {actual.GetType()}");
        if (expected is string || type.IsPrimitive || type.IsEnum || expected is decimal or DateTime or DateTimeOffset or TimeSpan or Guid
            or DateOnly or TimeOnly or Half or Int128 or UInt128 or System.Numerics.BigInteger or Tessera.Graphs.Key)
        {
            if (expected is double d && double.IsNaN(d))
            {
                Assert.True(double.IsNaN((double)actual), path);
                return;
            }

            if (expected is float f && float.IsNaN(f))
            {
                Assert.True(float.IsNaN((float)actual), path);
                return;
            }

            Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
            if (expected is DateTime dt)
            {
                Assert.Equal(dt.Kind, ((DateTime)actual).Kind);
            }

            if (expected is DateTimeOffset dto)
            {
                Assert.Equal(dto.Offset, ((DateTimeOffset)actual).Offset);
            }

            return;
        }

        if (expected is Array ea)
        {
            var aa = (Array)actual;
            Assert.Equal(ea.Rank, aa.Rank);
            for (int r = 0; r < ea.Rank; r++)
            {
                Assert.Equal(ea.GetLength(r), aa.GetLength(r));
            }

            int i = 0;
            IEnumerator ae = aa.GetEnumerator();
            foreach (object? item in ea)
            {
                ae.MoveNext();
                Equal(item, ae.Current, $"{path}[{i++}]");
            }

            return;
        }

        if (expected is IDictionary ed)
        {
            var ad = (IDictionary)actual;
            Assert.Equal(ed.Count, ad.Count);
            foreach (DictionaryEntry e in ed)
            {
                Assert.True(ad.Contains(e.Key), $"{path}: key {e.Key} missing");
                Equal(e.Value, ad[e.Key], $"{path}[{e.Key}]");
            }

            return;
        }

        if (expected is IEnumerable ee && type.Namespace?.StartsWith("System.Collections", StringComparison.Ordinal) == true)
        {
            object?[] el = [.. ee.Cast<object?>()];
            object?[] al = [.. ((IEnumerable)actual).Cast<object?>()];
            Assert.Equal(el.Length, al.Length);
            if (type.Name.Contains("Set", StringComparison.Ordinal))
            {
                Assert.True(el.All(x => al.Contains(x)), $"{path}: sets differ");
                return;
            }

            for (int i = 0; i < el.Length; i++)
            {
                Equal(el[i], al[i], $"{path}[{i}]");
            }

            return;
        }

        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Equal(field.GetValue(expected), field.GetValue(actual), $"{path}.{field.Name}");
            }
        }
    }
}
