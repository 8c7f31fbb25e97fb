using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Nerdbank.MessagePack;

namespace Tessera.Distributed.Serialization;

/// <summary>Writes one value of a registered type as exactly one MessagePack structure (use an array for several parts).</summary>
/// <typeparam name="T">The registered type.</typeparam>
/// <param name="writer">The writer.</param>
/// <param name="value">The value.</param>
public delegate void ValueWriter<in T>(ref MessagePackWriter writer, T value);

/// <summary>Reads one value of a registered type: exactly the structure its <see cref="ValueWriter{T}"/> wrote.</summary>
/// <typeparam name="T">The registered type.</typeparam>
/// <param name="reader">The reader.</param>
/// <returns>The value.</returns>
public delegate T ValueReader<out T>(ref MessagePackReader reader);

/// <summary>
/// Serializers for types the built-in rules do not cover, or cover differently. A registered type
/// travels as <c>[Custom, type, payload]</c>; registering a type also allows it to be created from
/// the wire, so both sides must register it.
/// </summary>
/// <remarks>
/// Every serializer also consults the process-wide <see cref="Shared"/> registry. Libraries register
/// their types there from a module initializer; when a worker meets a registered type it does not
/// know yet, it runs the module initializer of the type's assembly first, so the library's
/// serializers are in place without worker-side code.
/// </remarks>
public sealed class SerializerRegistry
{
    private readonly ConcurrentDictionary<Type, Entry> _entries = new();

    /// <summary>Gets the process-wide registry that every serializer consults after its own.</summary>
    public static SerializerRegistry Shared { get; } = new();

    /// <summary>Gets the number of registered types.</summary>
    public int Count => _entries.Count;

    /// <summary>Registers a serializer for <typeparamref name="T"/> (exactly that type, not derived ones); a later registration replaces an earlier one.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="write">Writes one value as exactly one MessagePack structure.</param>
    /// <param name="read">Reads what <paramref name="write"/> wrote.</param>
    public void Register<T>(ValueWriter<T> write, ValueReader<T> read)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(read);
        _entries[typeof(T)] = new Entry<T>(write, read);
    }

    /// <summary>Tells whether a type has a registered serializer.</summary>
    /// <param name="type">The type.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool IsRegistered(Type type) => _entries.ContainsKey(type);

    internal bool TryGet(Type type, [NotNullWhen(true)] out Entry? entry)
    {
        if (!_entries.IsEmpty && _entries.TryGetValue(type, out entry))
        {
            return true;
        }

        SerializerRegistry shared = Shared;
        if (!ReferenceEquals(this, shared) && !shared._entries.IsEmpty)
        {
            return shared._entries.TryGetValue(type, out entry);
        }

        entry = null;
        return false;
    }

    /// <summary>Looks a type up after running its module's initializer, which may register it in <see cref="Shared"/>.</summary>
    internal bool TryGetAfterModuleInit(Type type, [NotNullWhen(true)] out Entry? entry)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(type.Module.ModuleHandle);
        return TryGet(type, out entry);
    }

    internal abstract class Entry
    {
        public abstract void Write(ref MessagePackWriter writer, object value);

        public abstract object? Read(ref MessagePackReader reader);
    }

    private sealed class Entry<T>(ValueWriter<T> write, ValueReader<T> read) : Entry
    {
        public override void Write(ref MessagePackWriter writer, object value) => write(ref writer, (T)value);

        public override object? Read(ref MessagePackReader reader) => read(ref reader);
    }
}
