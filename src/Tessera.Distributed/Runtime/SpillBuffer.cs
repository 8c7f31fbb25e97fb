using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// A worker's data store (Dask's <c>SpillBuffer</c>): results in memory, and results spilled to files in
/// the serializer's value format. When the estimated bytes in memory pass the target, the least recently
/// used results are spilled; a spilled result is read back when a task needs it, and served to peers
/// straight from its file.
/// </summary>
/// <remarks>
/// <para>A result read back keeps its file: its copy in memory counts as recently used, and leaves memory
/// again without a write, either when the store needs room or at once when no task reads it any more
/// (<see cref="EndRead"/>), so a block read for one task does not push others out.</para>
/// <para>A result that its task made as fresh memory (<see cref="IRecyclable"/>) is recycled when it leaves
/// memory (freed or spilled), unless something may still hold it: a task reading it, a task that may keep
/// it (a view), a send (whose buffers alias its arrays) or any other reader. The next block of its size
/// then reuses its buffer, as in a local scheduler, instead of leaving it to the GC.</para>
/// <para>Thread-safe; one lock guards the store (spilling and reading back run under it). Each spill (of one
/// or more results) and each read of a spill file goes into the worker's task stream log, when given.</para>
/// </remarks>
internal sealed class SpillBuffer : IDisposable
{
    private readonly Dictionary<Key, Entry> _entries = [];
    private readonly LinkedList<Key> _lru = [];
    private readonly Lock _lock = new();
    private readonly Func<object?, long> _sizeOf;
    private readonly string? _directory;
    private readonly long _target;
    private readonly WorkerStreamLog? _stream;
    private long _memoryBytes;
    private long _spilledBytes;
    private long _nextFile;
    private long _releasedBytes;

    /// <summary>Creates the store.</summary>
    /// <param name="directory">Where spilled results go; null when the store never spills.</param>
    /// <param name="targetBytes">The bytes in memory above which results are spilled; <see cref="long.MaxValue"/> for never.</param>
    /// <param name="sizeOf">Estimates a value's size in bytes.</param>
    /// <param name="stream">Where disk writes and reads are recorded for the task stream; null for nowhere.</param>
    public SpillBuffer(string? directory, long targetBytes, Func<object?, long> sizeOf, WorkerStreamLog? stream = null)
    {
        _stream = stream;
        _directory = directory;
        _target = directory is null ? long.MaxValue : targetBytes;
        _sizeOf = sizeOf;
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
    }

    /// <summary>Gets the number of results held, in memory or on disk.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Gets the estimated bytes of the results in memory.</summary>
    public long MemoryBytes => Interlocked.Read(ref _memoryBytes);

    /// <summary>Gets the bytes of the results on disk.</summary>
    public long SpilledBytes => Interlocked.Read(ref _spilledBytes);

    /// <summary>Gets how many results were spilled to disk so far.</summary>
    public long SpillCount { get; private set; }

    /// <summary>Gets how many spilled results were read back so far.</summary>
    public long UnspillCount { get; private set; }

    /// <summary>Gets how many values were recycled so far (for tests and diagnostics).</summary>
    public long Recycled { get; private set; }

    /// <summary>
    /// Gets the bytes of memory the store let go of so far: values spilled, evicted or removed, and the
    /// buffers spill files were read into. Once no task holds them they are garbage, so this bounds from
    /// above what a full collection may give back.
    /// </summary>
    public long ReleasedBytes => Interlocked.Read(ref _releasedBytes);

    /// <summary>Gets whether a result is held.</summary>
    public bool ContainsKey(Key key)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(key);
        }
    }

    /// <summary>Stores a result (replacing one with the same key); <paramref name="serializer"/> reads it back if it is spilled.</summary>
    /// <param name="key">The result's key.</param>
    /// <param name="value">The result.</param>
    /// <param name="serializer">Writes and reads the spill file.</param>
    /// <param name="size">The value's estimated size when the caller knows it already; null to estimate it here.</param>
    /// <param name="recyclable">Whether the value is fresh memory that nothing else holds, which the store may recycle once it lets go of it.</param>
    public void Set(Key key, object? value, IWireSerializer serializer, long? size = null, bool recyclable = false)
    {
        lock (_lock)
        {
            RemoveLocked(key);
            AddLocked(key, value, serializer, size).Recyclable = recyclable && value is IRecyclable;
            SpillAboveTargetLocked();
        }
    }

    /// <summary>Stores a result unless one with the key is held already.</summary>
    public bool TryAdd(Key key, object? value, IWireSerializer serializer)
    {
        lock (_lock)
        {
            if (_entries.ContainsKey(key))
            {
                return false;
            }

            AddLocked(key, value, serializer, null);
            SpillAboveTargetLocked();
            return true;
        }
    }

    /// <summary>
    /// Gets a result, reading it back from disk if it was spilled (it then counts as in memory and recently
    /// used). The caller may keep it, so it is never recycled.
    /// </summary>
    public bool TryGetValue(Key key, out object? value)
    {
        lock (_lock)
        {
            if (!GetLocked(key, out Entry? e, out value))
            {
                return false;
            }

            e.Recyclable = false;
            return true;
        }
    }

    /// <summary>
    /// Gets a task's input like <see cref="TryGetValue"/>, and counts the task as reading it until
    /// <see cref="EndRead"/>: meanwhile it is not recycled, and a task that may keep it (a view in its
    /// result) makes it never recycled.
    /// </summary>
    public bool TryBeginRead(Key key, bool mayKeep, out object? value, out Reading reading)
    {
        lock (_lock)
        {
            if (!GetLocked(key, out Entry? e, out value))
            {
                reading = default;
                return false;
            }

            e.Recyclable &= !mayKeep;
            e.Readers++;
            reading = new Reading(e);
            return true;
        }
    }

    /// <summary>
    /// Ends a read begun with <see cref="TryBeginRead"/>. A result read back from disk leaves memory again
    /// (its file stays) once no task reads it, so a block read for one task does not push others out.
    /// </summary>
    public void EndRead(Reading reading)
    {
        if (reading.Entry is not { } e)
        {
            return;
        }

        lock (_lock)
        {
            e.Readers--;
            if (e.Readers == 0 && e.File is not null && e.Node is not null)
            {
                DropFromMemoryLocked(e);
            }
        }
    }

    /// <summary>
    /// Gets a result in the serializer's value format: a spilled one straight from its file, without reading
    /// it back into memory; one in memory as parts whose buffers alias its arrays (no copy).
    /// </summary>
    public bool TryGetSerialized(Key key, IWireSerializer serializer, out SerializedMessage message)
    {
        object? value;
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out Entry? e))
            {
                message = new SerializedMessage(ReadOnlyMemory<byte>.Empty, []);
                return false;
            }

            if (e.File is { } file)
            {
                long started = Stopwatch.GetTimestamp();
                byte[] bytes = File.ReadAllBytes(file);
                _stream?.Add(TaskStreamKind.DiskRead, key, 1, bytes.Length, null, started, Stopwatch.GetTimestamp());
                message = SerializedMessage.FromArray(bytes);
                return true;
            }

            // The message's buffers alias the value's arrays until it is sent.
            e.Recyclable = false;
            value = e.Value;
        }

        message = serializer.SerializeValueParts(value);
        return true;
    }

    /// <summary>Drops a result.</summary>
    public bool TryRemove(Key key)
    {
        lock (_lock)
        {
            return RemoveLocked(key);
        }
    }

    /// <summary>Spills least recently used results until the bytes in memory are at most <paramref name="bytes"/>; returns how many it spilled.</summary>
    public int SpillUntil(long bytes)
    {
        lock (_lock)
        {
            return _directory is null ? 0 : SpillUntilLocked(bytes, keep: null);
        }
    }

    /// <summary>Deletes the spill files.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (Entry e in _entries.Values)
            {
                DeleteFileLocked(e);
            }

            _entries.Clear();
            _lru.Clear();
            if (_directory is not null)
            {
                try
                {
                    Directory.Delete(_directory, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    // Finds a result, reading it back from disk if it was spilled (it then counts as in memory and recently used).
    private bool GetLocked(Key key, [NotNullWhen(true)] out Entry? entry, out object? value)
    {
        if (!_entries.TryGetValue(key, out entry))
        {
            value = null;
            return false;
        }

        if (entry.Node is null)
        {
            // Only on disk: read it back; the file stays, so it can leave memory again without a write.
            long started = Stopwatch.GetTimestamp();
            object? read = entry.Serializer.DeserializeValue(File.ReadAllBytes(entry.File!));
            _stream?.Add(TaskStreamKind.DiskRead, key, 1, entry.FileBytes, null, started, Stopwatch.GetTimestamp());
            _releasedBytes += entry.FileBytes;
            entry.Value = read;
            entry.Size = _sizeOf(read);
            _memoryBytes += entry.Size;
            UnspillCount++;
            entry.Node = _lru.AddLast(key);
            value = read;
            SpillAboveTargetLocked(keep: key);
            return true;
        }

        _lru.Remove(entry.Node);
        _lru.AddLast(entry.Node);
        value = entry.Value;
        return true;
    }

    private Entry AddLocked(Key key, object? value, IWireSerializer serializer, long? size)
    {
        var e = new Entry(serializer) { Value = value, Size = size ?? _sizeOf(value), Node = _lru.AddLast(key) };
        _entries.Add(key, e);
        _memoryBytes += e.Size;
        return e;
    }

    private bool RemoveLocked(Key key)
    {
        if (!_entries.Remove(key, out Entry? e))
        {
            return false;
        }

        if (e.Node is not null)
        {
            DropFromMemoryLocked(e);
        }

        DeleteFileLocked(e);
        return true;
    }

    private void SpillAboveTargetLocked(Key? keep = null)
    {
        if (_memoryBytes > _target)
        {
            SpillUntilLocked(_target, keep);
        }
    }

    private int SpillUntilLocked(long bytes, Key? keep)
    {
        int spilled = 0, evicted = 0;
        long written = 0, started = Stopwatch.GetTimestamp();
        Key first = default;
        LinkedListNode<Key>? node = _lru.First;
        while (_memoryBytes > bytes && node is not null)
        {
            LinkedListNode<Key>? next = node.Next;
            Entry e = _entries[node.Value];
            if (node.Value != keep && e.File is not null)
            {
                // Read back earlier and still on disk: it leaves memory without a write.
                DropFromMemoryLocked(e);
                evicted++;
            }
            else if (node.Value != keep && !e.Unspillable && WriteLocked(e) is { } fileBytes)
            {
                if (spilled == 0)
                {
                    first = node.Value;
                }

                written += fileBytes;
                DropFromMemoryLocked(e);
                SpillCount++;
                spilled++;
            }

            node = next;
        }

        if (spilled > 0)
        {
            _stream?.Add(TaskStreamKind.DiskWrite, first, spilled, written, null, started, Stopwatch.GetTimestamp());
        }

        return spilled + evicted;
    }

    // Writes the value to a new spill file (in the value format, without a copy of the whole value in
    // memory first) and returns the file's length; null when the value cannot be serialized.
    private long? WriteLocked(Entry e)
    {
        string file = Path.Combine(_directory!, $"{_nextFile++}.spill");
        try
        {
            using (var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                e.Serializer.WriteValue(e.Value, stream);
                e.FileBytes = stream.Length;
            }
        }
        catch (Exception ex) when (ex is ValueSerializationException or NotSupportedException or InvalidOperationException)
        {
            // Not plain data (a worker's own objects may be): it stays in memory.
            File.Delete(file);
            e.Unspillable = true;
            return null;
        }

        e.File = file;
        _spilledBytes += e.FileBytes;
        return e.FileBytes;
    }

    private void DropFromMemoryLocked(Entry e)
    {
        if (e.Recyclable && e.Readers == 0)
        {
            ((IRecyclable)e.Value!).Recycle();
            Recycled++;
        }

        // A value read back from disk later is not the one made by its task: it is never recycled.
        e.Recyclable = false;
        _lru.Remove(e.Node!);
        e.Node = null;
        e.Value = null;
        _memoryBytes -= e.Size;
        _releasedBytes += e.Size;
    }

    private void DeleteFileLocked(Entry e)
    {
        if (e.File is { } file)
        {
            File.Delete(file);
            _spilledBytes -= e.FileBytes;
            e.File = null;
            e.FileBytes = 0;
        }
    }

    internal sealed class Entry(IWireSerializer serializer)
    {
        public IWireSerializer Serializer { get; } = serializer;

        public object? Value { get; set; }

        public long Size { get; set; }

        /// <summary>Gets or sets the result's place in the least-recently-used list; null while it is only on disk.</summary>
        public LinkedListNode<Key>? Node { get; set; }

        /// <summary>Gets or sets the spill file; null while the value was never spilled (a value read back keeps its file).</summary>
        public string? File { get; set; }

        public long FileBytes { get; set; }

        /// <summary>Gets or sets a value indicating whether the value cannot be serialized, so it is never spilled.</summary>
        public bool Unspillable { get; set; }

        /// <summary>Gets or sets a value indicating whether the value is fresh memory that nothing but the store holds, recycled when it leaves memory.</summary>
        public bool Recyclable { get; set; }

        /// <summary>Gets or sets the number of running tasks that read the value.</summary>
        public int Readers { get; set; }
    }

    /// <summary>A task's read of one input, from <see cref="TryBeginRead"/> until <see cref="EndRead"/>.</summary>
    public readonly struct Reading
    {
        internal Reading(Entry entry) => Entry = entry;

        internal Entry? Entry { get; }
    }
}
