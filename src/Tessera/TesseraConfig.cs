using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Tessera;

/// <summary>
/// Tessera's configuration: built-in defaults, then JSON config files, then <c>TESSERA_*</c>
/// environment variables, then values set in code, each overriding the one before
/// (Dask's <c>dask.config</c>).
/// </summary>
/// <remarks>
/// <para>Keys are dotted paths such as <c>scheduler</c>, <c>num-workers</c> or
/// <c>optimization.fuse.active</c>; <c>-</c> and <c>_</c> are the same character in a key, and case
/// does not matter. An environment variable <c>TESSERA_NUM_WORKERS=4</c> sets <c>num-workers</c>;
/// a double underscore nests (<c>TESSERA_OPTIMIZATION__FUSE__ACTIVE=true</c>). Values from files
/// and the environment are parsed as JSON literals where they can be (<c>4</c>, <c>true</c>,
/// <c>[1, 2]</c>, <c>null</c>) and kept as strings otherwise.</para>
/// <para>Config files are every <c>*.json</c> in <c>/etc/tessera</c>, then in
/// <c>~/.config/tessera</c>, then the files named in <c>TESSERA_CONFIG</c> (separated by the path
/// separator), later files winning. They are read once; call <see cref="Refresh"/> to read them again.</para>
/// <para><see cref="Set(ValueTuple{string, object}[])"/> overrides values for the current async
/// flow until the returned scope is disposed: <c>using (TesseraConfig.Set(("scheduler", "sync"))) { … }</c>.
/// Work started inside the scope (tasks, threads from the pool) sees the override too.</para>
/// </remarks>
public static class TesseraConfig
{
    private static readonly ImmutableDictionary<string, object?> s_defaults = ImmutableDictionary.CreateRange(
        StringComparer.Ordinal,
        new Dictionary<string, object?>
        {
            ["scheduler"] = "threads",
            ["num-workers"] = null,
            ["delayed-pure"] = false,
            ["optimization.fuse.active"] = false,
            ["optimization.fuse.max-width"] = 1L,
            ["optimization.inline.active"] = true,
        });

    private static readonly AsyncLocal<ImmutableDictionary<string, object?>?> s_scoped = new();
    private static ImmutableDictionary<string, object?>? s_loaded;

    /// <summary>Gets the configuration value of <paramref name="key"/>, or <see langword="null"/> when unset.</summary>
    /// <param name="key">The dotted key.</param>
    /// <returns>The value.</returns>
    public static object? Get(string key)
    {
        string k = Normalize(key);
        ImmutableDictionary<string, object?>? scoped = s_scoped.Value;
        if (scoped is not null && scoped.TryGetValue(k, out object? v))
        {
            return v;
        }

        return Loaded.TryGetValue(k, out v) ? v : null;
    }

    /// <summary>Tells whether <paramref name="key"/> is overridden by a <see cref="Set(ValueTuple{string, object}[])"/> scope in the current async flow.</summary>
    /// <param name="key">The dotted key.</param>
    /// <returns><see langword="true"/> when a scope sets the key.</returns>
    public static bool IsSetInScope(string key) => s_scoped.Value?.ContainsKey(Normalize(key)) == true;

    /// <summary>Gets the configuration value of <paramref name="key"/> converted to <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The wanted type.</typeparam>
    /// <param name="key">The dotted key.</param>
    /// <param name="defaultValue">The value when the key is unset or null.</param>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The value cannot be converted to <typeparamref name="T"/>.</exception>
    public static T Get<T>(string key, T defaultValue)
    {
        object? value = Get(key);
        return value is null ? defaultValue : Convert<T>(key, value);
    }

    /// <summary>Converts the value of <paramref name="key"/>, already read, to <typeparamref name="T"/> as <see cref="Get{T}(string, T)"/> does.</summary>
    /// <exception cref="FormatException">The value cannot be converted to <typeparamref name="T"/>.</exception>
    internal static T Convert<T>(string key, object value)
    {
        if (value is T t)
        {
            return t;
        }

        try
        {
            Type target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            if (value is string s && target == typeof(bool))
            {
                return (T)(object)ParseBool(s, key);
            }

            if (value is string ts && target == typeof(TimeSpan))
            {
                return (T)(object)TimeSpan.Parse(ts, CultureInfo.InvariantCulture);
            }

            return (T)System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new FormatException($"Config value '{Normalize(key)}' = '{value}' cannot be read as {typeof(T).Name}; set it to a valid {typeof(T).Name}.", e);
        }
    }

    /// <summary>Overrides configuration values until the returned scope is disposed.</summary>
    /// <param name="values">Key and value pairs.</param>
    /// <returns>A scope that restores the previous values when disposed.</returns>
    public static IDisposable Set(params (string Key, object? Value)[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ImmutableDictionary<string, object?>? previous = s_scoped.Value;
        ImmutableDictionary<string, object?> next = previous ?? ImmutableDictionary.Create<string, object?>(StringComparer.Ordinal);
        foreach ((string key, object? value) in values)
        {
            next = next.SetItem(Normalize(key), value);
        }

        s_scoped.Value = next;
        return new Scope(previous);
    }

    /// <summary>Overrides configuration values until the returned scope is disposed.</summary>
    /// <param name="values">Key → value.</param>
    /// <returns>A scope that restores the previous values when disposed.</returns>
    public static IDisposable Set(IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Set([.. values.Select(kv => (kv.Key, kv.Value))]);
    }

    /// <summary>Gets every value now in effect, flattened to dotted keys.</summary>
    /// <returns>Key → value.</returns>
    public static IReadOnlyDictionary<string, object?> Snapshot()
    {
        ImmutableDictionary<string, object?> all = Loaded;
        ImmutableDictionary<string, object?>? scoped = s_scoped.Value;
        return scoped is null ? all : all.SetItems(scoped);
    }

    /// <summary>Reads config files and environment variables again.</summary>
    public static void Refresh() => s_loaded = null;

    /// <summary>
    /// Turns a key into its canonical form: lower case, <c>_</c> as <c>-</c>, and <c>:</c> or a
    /// double underscore as the <c>.</c> that nests.
    /// </summary>
    /// <param name="key">The key as written.</param>
    /// <returns>The canonical key.</returns>
    public static string Normalize(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return key.Trim().Replace("__", ".", StringComparison.Ordinal).Replace(':', '.').Replace('_', '-').ToLowerInvariant();
    }

    /// <summary>Reads a value written in a file or an environment variable: a JSON literal where possible, the string otherwise.</summary>
    /// <param name="text">The text.</param>
    /// <returns>A string, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, list, or <see langword="null"/>.</returns>
    public static object? ParseValue(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string t = text.Trim();
        switch (t.ToLowerInvariant())
        {
            case "none" or "null":
                return null;
            case "true":
                return true;
            case "false":
                return false;
        }

        if (t.Length == 0 || !(char.IsAsciiDigit(t[0]) || t[0] is '-' or '+' or '[' or '{' or '"' or '.'))
        {
            return text;
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(t);
            return FromJson(doc.RootElement);
        }
        catch (JsonException)
        {
            return text;
        }
    }

    private static ImmutableDictionary<string, object?> Loaded => s_loaded ??= Load();

    private static ImmutableDictionary<string, object?> Load()
    {
        var builder = new ConfigurationBuilder();
        foreach (string file in ConfigFiles())
        {
            builder.AddJsonFile(file, optional: true, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables("TESSERA_");
        IConfigurationRoot root = builder.Build();
        ImmutableDictionary<string, object?>.Builder values = s_defaults.ToBuilder();
        foreach (KeyValuePair<string, string?> kv in root.AsEnumerable())
        {
            if (kv.Value is null || kv.Key.Equals("config", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            values[Normalize(kv.Key)] = ParseValue(kv.Value);
        }

        return values.ToImmutable();
    }

    private static IEnumerable<string> ConfigFiles()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        foreach (string dir in new[] { "/etc/tessera", Path.Combine(home, ".config", "tessera") })
        {
            if (Directory.Exists(dir))
            {
                foreach (string f in Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal))
                {
                    yield return f;
                }
            }
        }

        string? explicitFiles = Environment.GetEnvironmentVariable("TESSERA_CONFIG");
        if (!string.IsNullOrEmpty(explicitFiles))
        {
            foreach (string f in explicitFiles.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                yield return Path.GetFullPath(f);
            }
        }
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetInt64(out long l) => l,
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value)),
        _ => null,
    };

    private static bool ParseBool(string s, string key) => s.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => throw new FormatException($"Config value '{Normalize(key)}' = '{s}' is not a boolean; use true or false."),
    };

    private sealed class Scope(ImmutableDictionary<string, object?>? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                s_scoped.Value = previous;
            }
        }
    }
}
