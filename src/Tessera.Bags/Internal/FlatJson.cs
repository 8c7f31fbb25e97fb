using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Tessera.Bags.Internal;

/// <summary>
/// A fast path of <see cref="JsonSerializer.Deserialize{TValue}(ReadOnlySpan{byte}, JsonSerializerOptions?)"/>
/// for flat records — classes with a parameterless constructor whose serialized properties are
/// strings, integers, doubles and booleans — as JSON-lines files hold them. It reads the tokens with
/// <see cref="Utf8JsonReader"/> and sets the properties through typed setter delegates, without the
/// serializer's general machinery (read stack, converters, metadata lookups) per record.
/// </summary>
/// <remarks>
/// It handles only the plain case; anything else in a line — an escaped property name, a number
/// written as a string, a null for a number, trailing content, a malformed token — makes it hand the
/// whole line to <see cref="JsonSerializer"/>, so results and errors are System.Text.Json's own. Types
/// with converters, callbacks, polymorphism, required or extension-data members, or property types
/// outside the list are always left to <see cref="JsonSerializer"/>.
/// </remarks>
internal sealed class FlatJson<T>
{
    private static readonly ConcurrentDictionary<int, FlatJson<T>?> s_plans = new();

    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly Func<T> _create;
    private readonly Member[] _members;
    private readonly bool _ignoreCase;
    private readonly JsonReaderOptions _readerOptions;

    private FlatJson(JsonSerializerOptions options, JsonTypeInfo<T> typeInfo, Func<T> create, Member[] members)
    {
        _typeInfo = typeInfo;
        _create = create;
        _members = members;
        _ignoreCase = options.PropertyNameCaseInsensitive;
        _readerOptions = new JsonReaderOptions
        {
            AllowTrailingCommas = options.AllowTrailingCommas,
            CommentHandling = options.ReadCommentHandling,
            MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
        };
    }

    private enum Kind
    {
        String,
        Int32,
        Int64,
        Double,
        Boolean,
    }

    /// <summary>The fast reader for <typeparamref name="T"/> under the given defaults, or null when the type does not qualify.</summary>
    public static FlatJson<T>? Get(int jsonDefaults) => s_plans.GetOrAdd(jsonDefaults, static d => TryCreate(TextKernels.JsonOptions(d)));

    /// <summary>Deserializes one line; the same result (or exception) as <see cref="JsonSerializer"/> gives.</summary>
    /// <param name="line">The line's bytes.</param>
    /// <returns>The record.</returns>
    public T? Read(ReadOnlySpan<byte> line)
    {
        try
        {
            if (TryRead(line, out T? record))
            {
                return record;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
        }

        return JsonSerializer.Deserialize(line, _typeInfo);
    }

    private bool TryRead(ReadOnlySpan<byte> line, out T? record)
    {
        record = default;
        var reader = new Utf8JsonReader(line, _readerOptions);
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return !reader.Read();
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        T value = _create();
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped || reader.HasValueSequence)
            {
                return false;
            }

            Member? member = Find(reader.ValueSpan);
            if (!reader.Read())
            {
                return false;
            }

            if (member is null)
            {
                reader.Skip();
                continue;
            }

            if (!member.TrySet(value, ref reader))
            {
                return false;
            }
        }

        // Content after the object is an error System.Text.Json reports.
        if (reader.Read())
        {
            return false;
        }

        record = value;
        return true;
    }

    private Member? Find(ReadOnlySpan<byte> name)
    {
        foreach (Member m in _members)
        {
            if (name.SequenceEqual(m.Name))
            {
                return m;
            }
        }

        if (_ignoreCase)
        {
            foreach (Member m in _members)
            {
                if (name.Length == m.Name.Length && Ascii.EqualsIgnoreCase(name, m.Name))
                {
                    return m;
                }
            }
        }

        if (_ignoreCase && !Ascii.IsValid(name))
        {
            // Non-ASCII names may match case-insensitively in ways Ascii does not see; let the serializer decide.
            throw new InvalidOperationException();
        }

        return null;
    }

    private static FlatJson<T>? TryCreate(JsonSerializerOptions options)
    {
        if (typeof(T).IsValueType || typeof(T).IsAbstract || typeof(T).IsInterface || options.RespectNullableAnnotations || options.RespectRequiredConstructorParameters)
        {
            return null;
        }

        JsonTypeInfo<T> info;
        try
        {
            info = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        }
        catch (NotSupportedException)
        {
            return null;
        }

        if (info.Kind != JsonTypeInfoKind.Object || info.CreateObject is not { } create || info.PolymorphismOptions is not null
            || info.OnDeserializing is not null || info.OnDeserialized is not null || info.NumberHandling is not null
            || info.UnmappedMemberHandling is JsonUnmappedMemberHandling.Disallow || options.UnmappedMemberHandling == JsonUnmappedMemberHandling.Disallow
            || info.Converter.GetType().Assembly != typeof(JsonSerializer).Assembly
            || typeof(T).IsDefined(typeof(JsonConverterAttribute), inherit: true))
        {
            return null;
        }

        var members = new List<Member>();
        foreach (JsonPropertyInfo p in info.Properties)
        {
            if (p.Set is null)
            {
                // Read-only members are skipped by the serializer too (unless populated, which is refused below).
                if (p.ObjectCreationHandling == JsonObjectCreationHandling.Populate)
                {
                    return null;
                }

                members.Add(new Member(Encoding.UTF8.GetBytes(p.Name), Kind.String, null));
                continue;
            }

            if (p.CustomConverter is not null || p.IsExtensionData || p.IsRequired || p.NumberHandling is not null
                || p.ObjectCreationHandling == JsonObjectCreationHandling.Populate || !Ascii.IsValid(p.Name)
                || p.AttributeProvider is not PropertyInfo { SetMethod: { IsStatic: false } setter })
            {
                return null;
            }

            Kind? kind = p.PropertyType == typeof(string) ? Kind.String
                : p.PropertyType == typeof(int) ? Kind.Int32
                : p.PropertyType == typeof(long) ? Kind.Int64
                : p.PropertyType == typeof(double) ? Kind.Double
                : p.PropertyType == typeof(bool) ? Kind.Boolean
                : null;
            if (kind is not { } k)
            {
                return null;
            }

            Delegate set = k switch
            {
                Kind.String => setter.CreateDelegate<Action<T, string?>>(),
                Kind.Int32 => setter.CreateDelegate<Action<T, int>>(),
                Kind.Int64 => setter.CreateDelegate<Action<T, long>>(),
                Kind.Double => setter.CreateDelegate<Action<T, double>>(),
                _ => setter.CreateDelegate<Action<T, bool>>(),
            };
            members.Add(new Member(Encoding.UTF8.GetBytes(p.Name), k, set));
        }

        if (members.Select(m => Encoding.UTF8.GetString(m.Name)).Distinct(options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal).Count() != members.Count)
        {
            return null;
        }

        return new FlatJson<T>(options, info, create, [.. members]);
    }

    /// <summary>One serialized property: its JSON name, its type, and a typed setter (null for read-only members, whose values are skipped).</summary>
    private sealed class Member(byte[] name, Kind kind, Delegate? set)
    {
        private readonly Action<T, string?>? _setString = set as Action<T, string?>;
        private readonly Action<T, int>? _setInt32 = set as Action<T, int>;
        private readonly Action<T, long>? _setInt64 = set as Action<T, long>;
        private readonly Action<T, double>? _setDouble = set as Action<T, double>;
        private readonly Action<T, bool>? _setBoolean = set as Action<T, bool>;

        public byte[] Name { get; } = name;

        public bool TrySet(T target, ref Utf8JsonReader reader)
        {
            if (set is null)
            {
                reader.Skip();
                return true;
            }

            switch (kind)
            {
                case Kind.String:
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        _setString!(target, null);
                        return true;
                    }

                    if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence)
                    {
                        return false;
                    }

                    // Repeated short values (names, categories) share one string; anything else is System.Text.Json's.
                    _setString!(target, (reader.ValueIsEscaped ? null : AsciiStrings.Get(reader.ValueSpan)) ?? reader.GetString());
                    return true;
                case Kind.Int32:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int i))
                    {
                        return false;
                    }

                    _setInt32!(target, i);
                    return true;
                case Kind.Int64:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long l))
                    {
                        return false;
                    }

                    _setInt64!(target, l);
                    return true;
                case Kind.Double:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double d))
                    {
                        return false;
                    }

                    _setDouble!(target, d);
                    return true;
                default:
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                    {
                        return false;
                    }

                    _setBoolean!(target, reader.TokenType == JsonTokenType.True);
                    return true;
            }
        }
    }
}
