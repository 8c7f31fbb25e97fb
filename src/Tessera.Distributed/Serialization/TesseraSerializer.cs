using System.Buffers;
using System.IO.Hashing;
using System.Reflection;
using System.Runtime.CompilerServices;
using Nerdbank.MessagePack;
using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

/// <summary>Settings of a <see cref="TesseraSerializer"/>.</summary>
public sealed record SerializerOptions
{
    /// <summary>Gets the size in bytes from which arrays of numbers travel as out-of-band buffers instead of inside the header (default 1 KiB).</summary>
    public int OutOfBandThreshold { get; init; } = 1024;

    /// <summary>Gets the function payload size above which <see cref="TesseraSerializer.LargeFunctionPayload"/> is raised (default 1 MiB).</summary>
    public long LargeFunctionPayloadBytes { get; init; } = 1 << 20;

    /// <summary>Gets the serializers registered for user types.</summary>
    public SerializerRegistry Registry { get; init; } = new();

    /// <summary>Gets the functions known by stable name.</summary>
    public FunctionRegistry Functions { get; init; } = new();
}

/// <summary>
/// Turns values, keys, graph nodes, whole task graphs, functions and uploaded assemblies into
/// MessagePack headers with out-of-band buffers, and back.
/// </summary>
/// <remarks>
/// <para>Values are written by type family: primitives and strings as plain MessagePack, arrays of
/// numbers and unmanaged structs as raw bulk buffers (sent without a copy, received with one),
/// collections, tuples and records field by field, exceptions as <see cref="RemoteException"/>,
/// and registered types by their own serializers. Types are named once per message (assembly simple
/// name, full name and, for user code, the MVID of the build).</para>
/// <para>Functions travel as method identity plus captured variables, walked by an explicit policy
/// (see <see cref="FunctionSerializationException"/> for what is refused); a function's payload is
/// encoded once per <see cref="TaskFunction"/> and decoded once per <see cref="CodeSession"/>.</para>
/// <para>An instance is thread-safe; the contexts it creates are for one message each.</para>
/// </remarks>
public sealed class TesseraSerializer
{
    private readonly ConditionalWeakTable<TaskFunction, FunctionPayload> _byFunction = new();
    private readonly ConditionalWeakTable<Delegate, FunctionPayload> _byDelegate = new();

    /// <summary>Creates a serializer.</summary>
    /// <param name="options">The settings; defaults when null.</param>
    public TesseraSerializer(SerializerOptions? options = null)
    {
        Options = options ?? new SerializerOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(Options.OutOfBandThreshold, nameof(options));
    }

    /// <summary>Raised once per function payload larger than <see cref="SerializerOptions.LargeFunctionPayloadBytes"/>.</summary>
    public event EventHandler<PayloadWarning>? LargeFunctionPayload;

    /// <summary>Gets the settings.</summary>
    public SerializerOptions Options { get; }

    /// <summary>Gets the serializers registered for user types.</summary>
    public SerializerRegistry Registry => Options.Registry;

    /// <summary>Gets the functions known by stable name.</summary>
    public FunctionRegistry Functions => Options.Functions;

    /// <summary>Creates the state for writing one message.</summary>
    /// <returns>The context.</returns>
    public EncodeContext CreateEncodeContext() => new(this, allowOutOfBand: true, "value");

    /// <summary>Creates the state for reading one message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="session">The client session whose uploaded and trusted assemblies types may come from; null allows framework and Tessera types only.</param>
    /// <returns>The context.</returns>
    public DecodeContext CreateDecodeContext(SerializedMessage message, CodeSession? session = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new DecodeContext(this, message.Header, message.Buffers, session);
    }

    /// <summary>Writes a value.</summary>
    /// <param name="writer">The header writer.</param>
    /// <param name="value">The value.</param>
    /// <param name="context">The message's context.</param>
    /// <exception cref="ValueSerializationException">The value, or something inside it, is not plain data.</exception>
    /// <exception cref="FunctionSerializationException">A delegate inside the value cannot be shipped.</exception>
    public void WriteValue(ref MessagePackWriter writer, object? value, EncodeContext context)
    {
        CheckOwner(context.Serializer);
        context.WriteValue(ref writer, value);
    }

    /// <summary>Reads a value written by <see cref="WriteValue"/>.</summary>
    /// <param name="reader">The header reader.</param>
    /// <param name="context">The message's context.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidDataException">The message is malformed.</exception>
    /// <exception cref="DisallowedTypeException">The message asks for a type that may not be created from the wire.</exception>
    public object? ReadValue(ref MessagePackReader reader, DecodeContext context)
    {
        CheckOwner(context.Serializer);
        return context.ReadValue(ref reader);
    }

    /// <summary>Writes a key: its name, or <c>[name, index…]</c>.</summary>
    /// <param name="writer">The header writer.</param>
    /// <param name="key">The key.</param>
    public static void WriteKey(ref MessagePackWriter writer, Key key)
    {
        if (key.Rank == 0)
        {
            writer.Write(key.Name);
            return;
        }

        writer.WriteArrayHeader(1 + key.Rank);
        writer.Write(key.Name);
        for (int i = 0; i < key.Rank; i++)
        {
            writer.Write(key[i]);
        }
    }

    /// <summary>Reads a key written by <see cref="WriteKey"/>.</summary>
    /// <param name="reader">The header reader.</param>
    /// <param name="context">The message's context.</param>
    /// <returns>The key.</returns>
    public static Key ReadKey(ref MessagePackReader reader, DecodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.ReadKey(ref reader);
    }

    /// <summary>Writes a graph node; functions are written once per message and referred to by index after that.</summary>
    /// <param name="writer">The header writer.</param>
    /// <param name="node">The node.</param>
    /// <param name="context">The message's context.</param>
    public void WriteNode(ref MessagePackWriter writer, Node node, EncodeContext context)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(context);
        WriteNodeCore(ref writer, node, context);
    }

    /// <summary>Reads a node written by <see cref="WriteNode"/>, with the same node kinds and type arguments.</summary>
    /// <param name="reader">The header reader.</param>
    /// <param name="context">The message's context.</param>
    /// <returns>The node.</returns>
    public Node ReadNode(ref MessagePackReader reader, DecodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ReadNodeCore(ref reader, context, 0);
    }

    /// <summary>Writes a whole task graph, in its insertion order.</summary>
    /// <param name="writer">The header writer.</param>
    /// <param name="graph">The graph.</param>
    /// <param name="context">The message's context.</param>
    public void WriteGraph(ref MessagePackWriter writer, TaskGraph graph, EncodeContext context)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(context);
        writer.WriteArrayHeader(3);
        writer.Write(WireTags.GraphMagic);
        writer.Write(WireTags.FormatVersion);
        writer.WriteArrayHeader(2 * graph.Count);
        try
        {
            foreach (KeyValuePair<Key, Node> entry in graph)
            {
                context.Entry = entry.Key;
                WriteKey(ref writer, entry.Key);
                WriteNodeCore(ref writer, entry.Value, context);
            }
        }
        finally
        {
            context.Entry = default;
        }
    }

    /// <summary>Reads a graph written by <see cref="WriteGraph"/>.</summary>
    /// <param name="reader">The header reader.</param>
    /// <param name="context">The message's context.</param>
    /// <returns>The graph.</returns>
    public TaskGraph ReadGraph(ref MessagePackReader reader, DecodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        DecodeContext.Expect(reader.ReadArrayHeader() == 3 && reader.ReadString() == WireTags.GraphMagic, "a task graph");
        int version = reader.ReadInt32();
        DecodeContext.Expect(version == WireTags.FormatVersion, $"graph format version {WireTags.FormatVersion}, not {version}");
        int n = reader.ReadArrayHeader();
        DecodeContext.Expect(n % 2 == 0, "key/node pairs");
        context.CheckCount(n);
        var graph = new TaskGraph(n / 2);
        for (int i = 0; i < n / 2; i++)
        {
            Key key = context.ReadKey(ref reader);
            Node node = ReadNodeCore(ref reader, context, 0);
            if (!graph.TryAdd(key, node))
            {
                throw new InvalidDataException($"Malformed message: key {key} appears twice in the graph.");
            }
        }

        return graph;
    }

    /// <summary>Writes uploaded assemblies: names, MVIDs and hashes in the header, bytes as out-of-band buffers.</summary>
    /// <param name="writer">The header writer.</param>
    /// <param name="assemblies">The assemblies.</param>
    /// <param name="context">The message's context.</param>
    public static void WriteAssemblies(ref MessagePackWriter writer, IReadOnlyList<ShippedAssembly> assemblies, EncodeContext context)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        ArgumentNullException.ThrowIfNull(context);
        writer.WriteArrayHeader(2 + assemblies.Count);
        writer.Write(WireTags.AssembliesMagic);
        writer.Write(WireTags.FormatVersion);
        foreach (ShippedAssembly a in assemblies)
        {
            writer.WriteArrayHeader(4);
            writer.Write(a.Name);
            writer.Write(a.Mvid.ToByteArray());
            writer.Write(a.Sha256.Span);
            context.WriteBuffer(ref writer, a.Bytes);
        }
    }

    /// <summary>Reads assemblies written by <see cref="WriteAssemblies"/>; add them to a <see cref="CodeSession"/> to use them.</summary>
    /// <param name="reader">The header reader.</param>
    /// <param name="context">The message's context.</param>
    /// <returns>The assemblies.</returns>
    public static IReadOnlyList<ShippedAssembly> ReadAssemblies(ref MessagePackReader reader, DecodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int n = reader.ReadArrayHeader();
        DecodeContext.Expect(n >= 2 && reader.ReadString() == WireTags.AssembliesMagic, "a list of assemblies");
        DecodeContext.Expect(reader.ReadInt32() == WireTags.FormatVersion, $"assembly list version {WireTags.FormatVersion}");
        var result = new ShippedAssembly[n - 2];
        for (int i = 0; i < result.Length; i++)
        {
            DecodeContext.Expect(reader.ReadArrayHeader() == 4, "an assembly [name, mvid, sha256, bytes]");
            string name = reader.ReadString() ?? throw new InvalidDataException("Malformed message: an assembly has no name.");
            byte[] mvid = reader.ReadBytes()!.Value.ToArray();
            DecodeContext.Expect(mvid.Length == 16, "a 16-byte MVID");
            byte[] sha = reader.ReadBytes()!.Value.ToArray();
            ReadOnlyMemory<byte> bytes = context.ReadBuffer(ref reader);
            result[i] = new ShippedAssembly(name, new Guid(mvid), sha, bytes);
        }

        return result;
    }

    /// <summary>Serializes one value as a whole message.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The message.</returns>
    public SerializedMessage SerializeValue(object? value)
    {
        EncodeContext context = CreateEncodeContext();
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        context.WriteValue(ref writer, value);
        writer.Flush();
        return new SerializedMessage(buffer.WrittenMemory, [.. context.Buffers]);
    }

    /// <summary>Deserializes a message made by <see cref="SerializeValue"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="session">The session whose user code types may come from.</param>
    /// <returns>The value.</returns>
    public object? DeserializeValue(SerializedMessage message, CodeSession? session = null)
    {
        DecodeContext context = CreateDecodeContext(message, session);
        var reader = new MessagePackReader(message.Header);
        return context.ReadValue(ref reader);
    }

    /// <summary>Serializes a task graph as a whole message.</summary>
    /// <param name="graph">The graph.</param>
    /// <returns>The message.</returns>
    public SerializedMessage SerializeGraph(TaskGraph graph) => SerializeGraph(graph, out _);

    /// <summary>Serializes a task graph as a whole message and tells which user assemblies it needs.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="userAssemblies">The user assemblies its functions and values refer to (roots for <see cref="AssemblyCatalog"/>).</param>
    /// <returns>The message.</returns>
    public SerializedMessage SerializeGraph(TaskGraph graph, out IReadOnlyCollection<Assembly> userAssemblies)
    {
        EncodeContext context = CreateEncodeContext();
        var buffer = new ArrayBufferWriter<byte>(256 + (graph?.Count ?? 0) * 16);
        var writer = new MessagePackWriter(buffer);
        WriteGraph(ref writer, graph!, context);
        writer.Flush();
        userAssemblies = context.UserAssemblies;
        return new SerializedMessage(buffer.WrittenMemory, [.. context.Buffers]);
    }

    /// <summary>Deserializes a message made by <see cref="SerializeGraph(TaskGraph)"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="session">The session whose user code the graph's functions and values come from.</param>
    /// <returns>The graph.</returns>
    public TaskGraph DeserializeGraph(SerializedMessage message, CodeSession? session = null)
    {
        DecodeContext context = CreateDecodeContext(message, session);
        var reader = new MessagePackReader(message.Header);
        return ReadGraph(ref reader, context);
    }

    /// <summary>Encodes a function for shipping, once per <see cref="TaskFunction"/> instance.</summary>
    /// <param name="function">The function.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="FunctionSerializationException">The function captures something that cannot be shipped, or is a dynamic or multicast delegate.</exception>
    public FunctionPayload SerializeFunction(TaskFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (_byFunction.TryGetValue(function, out FunctionPayload? cached))
        {
            return cached;
        }

        FunctionPayload payload = Encode(function.Delegate, function.Name, function.ArgumentUse, function.ReturnsFreshMemory);
        return _byFunction.GetValue(function, _ => payload);
    }

    /// <summary>Encodes a delegate for shipping, once per delegate instance.</summary>
    /// <param name="function">The delegate.</param>
    /// <param name="name">Its display name; by default the method name (<c>lambda</c> for lambdas).</param>
    /// <returns>The payload.</returns>
    /// <exception cref="FunctionSerializationException">The delegate cannot be shipped.</exception>
    public FunctionPayload SerializeFunction(Delegate function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (name is null && _byDelegate.TryGetValue(function, out FunctionPayload? cached))
        {
            return cached;
        }

        FunctionPayload payload = Encode(function, name ?? TaskFunction.FromDelegate(function).Name, ArgumentUse.Unknown, returnsFreshMemory: false);
        return name is null ? _byDelegate.GetValue(function, _ => payload) : payload;
    }

    /// <summary>
    /// Rebuilds a function from its payload: resolves its assemblies (checking their builds), its
    /// method and captured variables, and wraps it in a typed <see cref="TaskFunction"/>. Each
    /// distinct payload is decoded once per session.
    /// </summary>
    /// <param name="payload">The payload bytes (<see cref="FunctionPayload.Bytes"/>).</param>
    /// <param name="session">The client session whose user code the function comes from.</param>
    /// <returns>The function.</returns>
    /// <exception cref="FunctionSerializationException">The worker has another build of the code, or lacks it.</exception>
    /// <exception cref="DisallowedTypeException">The payload refers to a type the session does not trust.</exception>
    /// <exception cref="InvalidDataException">The payload is malformed.</exception>
    public TaskFunction DeserializeFunction(ReadOnlyMemory<byte> payload, CodeSession? session = null)
    {
        UInt128 hash = XxHash128.HashToUInt128(payload.Span);
        if (session is not null && session.TryGetFunction(hash, out TaskFunction? known))
        {
            return known!;
        }

        TaskFunction function = DecodeFunction(payload, session);
        session?.AddFunction(hash, function);
        return function;
    }

    /// <summary>Decodes a function payload without looking at or filling the session's cache.</summary>
    internal TaskFunction DecodeFunction(ReadOnlyMemory<byte> payload, CodeSession? session)
    {
        var context = new DecodeContext(this, payload, [], session);
        var reader = new MessagePackReader(payload);
        DecodeContext.Expect(reader.ReadArrayHeader() == 6 && reader.ReadString() == WireTags.FunctionMagic, "a function payload");
        int version = reader.ReadInt32();
        DecodeContext.Expect(version == WireTags.FormatVersion, $"function format version {WireTags.FormatVersion}, not {version}");
        string name = reader.ReadString() ?? "lambda";
        int use = reader.ReadInt32();
        DecodeContext.Expect(use is >= (int)ArgumentUse.Unknown and <= (int)ArgumentUse.Released, "a function's argument use");
        bool fresh = reader.ReadBoolean();
        int kind = reader.ReadInt32();
        TaskFunction function;
        if (kind == WireTags.FunctionNamed)
        {
            string registered = reader.ReadString() ?? throw new InvalidDataException("Malformed message: a named function has no name.");
            if (!Functions.TryGet(registered, out TaskFunction? found))
            {
                throw new FunctionSerializationException(
                    "fn",
                    $"function '{registered}' is not registered on this worker; register the assembly that declares it with FunctionRegistry.Register.");
            }

            function = found;
        }
        else
        {
            DecodeContext.Expect(kind == WireTags.FunctionClosure, "a closure or a named function");
            if (context.ReadValue(ref reader) is not Delegate rebuilt)
            {
                throw new InvalidDataException("Malformed message: a function payload does not hold a delegate.");
            }

            // The declaration of memory use travels with the library's own functions (see TaskFunction.Declare), so
            // the worker may recycle their blocks as a local scheduler does; a registered function keeps its own.
            function = TypedFunctions.Wrap(rebuilt, name).Declare((ArgumentUse)use, fresh);
        }

        return function;
    }

    private void CheckOwner(TesseraSerializer owner)
    {
        if (!ReferenceEquals(owner, this))
        {
            throw new InvalidOperationException("The context was created by another serializer; create it with this serializer's CreateEncodeContext or CreateDecodeContext.");
        }
    }

    private FunctionPayload Encode(Delegate function, string name, ArgumentUse use, bool returnsFreshMemory)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(6);
        writer.Write(WireTags.FunctionMagic);
        writer.Write(WireTags.FormatVersion);
        writer.Write(name);
        writer.Write((int)use);
        writer.Write(returnsFreshMemory);
        IReadOnlyList<Assembly> assemblies = [];
        SizeProbe? probe = null;
        bool named = Functions.TryGetName(function, out string? registered);
        if (named)
        {
            writer.Write(WireTags.FunctionNamed);
            writer.Write(registered);
        }
        else
        {
            writer.Write(WireTags.FunctionClosure);
            var context = new EncodeContext(this, allowOutOfBand: false, "fn");
            probe = new SizeProbe(buffer, Options.LargeFunctionPayloadBytes);
            context.Probe = probe;
            context.WriteValue(ref writer, function);
            assemblies = [.. context.UserAssemblies];
        }

        writer.Flush();
        byte[] bytes = buffer.WrittenSpan.ToArray();
        PayloadWarning? warning = null;
        if (probe is not null && bytes.Length > Options.LargeFunctionPayloadBytes)
        {
            (string Path, string Type, long Bytes)? dominant = probe.Dominant(bytes.Length);
            warning = new PayloadWarning(name, bytes.Length, dominant?.Path, dominant?.Type, dominant?.Bytes ?? 0);
            LargeFunctionPayload?.Invoke(this, warning);
        }

        return new FunctionPayload(name, bytes, XxHash128.HashToUInt128(bytes), assemblies, warning) { IsNamed = named };
    }

    private void WriteFunctionRef(ref MessagePackWriter writer, TaskFunction function, EncodeContext context)
    {
        if (context.FunctionIds.TryGetValue(function, out int id))
        {
            writer.Write(id);
            return;
        }

        FunctionPayload payload;
        try
        {
            payload = SerializeFunction(function);
        }
        catch (FunctionSerializationException e) when (!context.Entry.IsDefault)
        {
            throw new FunctionSerializationException(e.Path, $"task {context.Entry} calls '{function.Name}', which cannot be shipped: {e.Message}");
        }

        if (context.FunctionHashes.TryGetValue(payload.Hash, out id))
        {
            context.FunctionIds[function] = id;
            writer.Write(id);
            return;
        }

        id = context.FunctionHashes.Count;
        context.FunctionHashes[payload.Hash] = id;
        context.FunctionIds[function] = id;
        context.AddUserAssemblies(payload.UserAssemblies);
        if (context.FunctionTable is { } table && table.Takes(function))
        {
            // In the graph's table once; here only its hash.
            table.Add(payload);
            writer.WriteArrayHeader(2);
            writer.Write((ulong)(payload.Hash >> 64));
            writer.Write((ulong)payload.Hash);
            return;
        }

        writer.Write(payload.Bytes.Span);
    }

    private TaskFunction ReadFunctionRef(ref MessagePackReader reader, DecodeContext context)
    {
        if (reader.NextCode == 0x92)
        {
            // A function of the graph's table, by hash: decoded once per session, from the shipped payload.
            reader.ReadArrayHeader();
            UInt128 hash = new(reader.ReadUInt64(), reader.ReadUInt64());
            if (context.Session is null || !context.Session.TryGetFunction(hash, out TaskFunction? known))
            {
                byte[] shipped = context.ShippedFunctions?.Invoke(hash) ?? throw new InvalidDataException(
                    $"Malformed message: the task refers to function {hash:x32} of its graph's function table, which was not shipped to this process.");

                // The payload came with the hash its client computed: decoded and cached under it, not hashed again.
                known = DecodeFunction(shipped, context.Session);
                context.Session?.AddFunction(hash, known);
            }

            context.Functions.Add(known!);
            return known!;
        }

        if (reader.NextCode is not (>= 0xc4 and <= 0xc6))
        {
            int id = reader.ReadInt32();
            DecodeContext.Expect((uint)id < (uint)context.Functions.Count, $"a known function index, not {id}");
            return context.Functions[id];
        }

        ReadOnlySequence<byte> bytes = reader.ReadBytes()!.Value;
        ReadOnlyMemory<byte> payload = bytes.IsSingleSegment ? bytes.First : bytes.ToArray();
        TaskFunction function = DeserializeFunction(payload, context.Session);
        context.Functions.Add(function);
        return function;
    }

    private void WriteNodeCore(ref MessagePackWriter writer, Node node, EncodeContext context)
    {
        switch (node)
        {
            case LiteralNode literal:
                writer.WriteArrayHeader(2);
                writer.Write(WireTags.NodeLiteral);
                context.WriteValue(ref writer, literal.Value);
                return;
            case RefNode reference:
                writer.WriteArrayHeader(2);
                writer.Write(WireTags.NodeRef);
                WriteKey(ref writer, reference.Key);
                return;
            case CallNode call:
            {
                ReadOnlySpan<Node> args = call.Arguments;
                writer.WriteArrayHeader(2 + args.Length);
                writer.Write(WireTags.NodeCall);
                WriteFunctionRef(ref writer, call.Function, context);
                for (int i = 0; i < args.Length; i++)
                {
                    context.PushField("args", i);
                    WriteNodeCore(ref writer, args[i], context);
                    context.Pop();
                }

                return;
            }

            case ListNode list:
            {
                writer.WriteArrayHeader(2 + list.Items.Length);
                writer.Write(WireTags.NodeList);
                context.WriteType(ref writer, list.ElementType);
                for (int i = 0; i < list.Items.Length; i++)
                {
                    context.PushField("items", i);
                    WriteNodeCore(ref writer, list.Items[i], context);
                    context.Pop();
                }

                return;
            }
        }

        Type type = node.GetType();
        Type[] args2 = type.GetGenericArguments();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(TupleNode<,>))
        {
            (Node item1, Node item2) = NodeShapes.ForPair(args2[0], args2[1], dictionary: false).Items(node);
            writer.WriteArrayHeader(5);
            writer.Write(WireTags.NodeTuple);
            context.WriteType(ref writer, args2[0]);
            context.WriteType(ref writer, args2[1]);
            context.PushField("Item1");
            WriteNodeCore(ref writer, item1, context);
            context.Pop();
            context.PushField("Item2");
            WriteNodeCore(ref writer, item2, context);
            context.Pop();
            return;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(DictNode<,>))
        {
            var entries = NodeShapes.ForPair(args2[0], args2[1], dictionary: true).Entries(node).ToList();
            writer.WriteArrayHeader(3 + (2 * entries.Count));
            writer.Write(WireTags.NodeDict);
            context.WriteType(ref writer, args2[0]);
            context.WriteType(ref writer, args2[1]);
            for (int i = 0; i < entries.Count; i++)
            {
                context.PushField("entries", i);
                context.WriteValue(ref writer, entries[i].Key);
                WriteNodeCore(ref writer, entries[i].Value, context);
                context.Pop();
            }

            return;
        }

        throw new NotSupportedException($"Node kind {type} is not known to the serializer.");
    }

    private Node ReadNodeCore(ref MessagePackReader reader, DecodeContext context, int depth)
    {
        if (depth > 512)
        {
            throw new InvalidDataException("Malformed message: graph nodes nest deeper than 512 levels.");
        }

        int n = reader.ReadArrayHeader();
        DecodeContext.Expect(n >= 2, "a node [kind, …]");
        int kind = reader.ReadInt32();
        try
        {
            switch (kind)
            {
                case WireTags.NodeLiteral:
                    DecodeContext.Expect(n == 2, "a literal node [0, value]");
                    return Node.Literal(context.ReadValue(ref reader));
                case WireTags.NodeRef:
                    DecodeContext.Expect(n == 2, "a reference node [1, key]");
                    return Node.Ref(context.ReadKey(ref reader));
                case WireTags.NodeCall:
                {
                    TaskFunction function = ReadFunctionRef(ref reader, context);
                    var args = new Node[n - 2];
                    for (int i = 0; i < args.Length; i++)
                    {
                        args[i] = ReadNodeCore(ref reader, context, depth + 1);
                    }

                    return Node.Call(function, args);
                }

                case WireTags.NodeList:
                {
                    Type element = CheckNodeType(context.ReadType(ref reader), context);
                    var items = new Node[n - 2];
                    for (int i = 0; i < items.Length; i++)
                    {
                        items[i] = ReadNodeCore(ref reader, context, depth + 1);
                    }

                    return NodeShapes.ForList(element).CreateList(items);
                }

                case WireTags.NodeTuple:
                {
                    DecodeContext.Expect(n == 5, "a tuple node [4, type, type, item, item]");
                    Type t1 = CheckNodeType(context.ReadType(ref reader), context);
                    Type t2 = CheckNodeType(context.ReadType(ref reader), context);
                    Node a = ReadNodeCore(ref reader, context, depth + 1);
                    Node b = ReadNodeCore(ref reader, context, depth + 1);
                    return NodeShapes.ForPair(t1, t2, dictionary: false).CreateTuple(a, b);
                }

                case WireTags.NodeDict:
                {
                    DecodeContext.Expect(n >= 3 && (n - 3) % 2 == 0, "a dictionary node [5, type, type, key, node…]");
                    Type tk = CheckNodeType(context.ReadType(ref reader), context);
                    Type tv = CheckNodeType(context.ReadType(ref reader), context);
                    int count = (n - 3) / 2;
                    var keys = new object?[count];
                    var values = new Node[count];
                    for (int i = 0; i < count; i++)
                    {
                        keys[i] = context.ReadValue(ref reader);
                        values[i] = ReadNodeCore(ref reader, context, depth + 1);
                    }

                    return NodeShapes.ForPair(tk, tv, dictionary: true).CreateDict(keys, values);
                }

                default:
                    throw new InvalidDataException($"Malformed message: unknown node kind {kind}.");
            }
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Malformed message: an invalid node of kind {kind}: {e.Message}", e);
        }
    }

    private static Type CheckNodeType(Type type, DecodeContext context)
    {
        TypeShape shape = TypeShape.Get(type);
        if (shape.Kind == ShapeKind.Refused
            && !context.Serializer.Registry.TryGet(type, out _)
            && !context.Serializer.Registry.TryGetAfterModuleInit(type, out _))
        {
            throw new DisallowedTypeException(
                type.FullName ?? type.Name,
                type.Assembly.GetName().Name ?? string.Empty,
                $"Type '{TypeNames.Display(type)}' may not be used in a graph node from the wire: {shape.Reason}.");
        }

        return type.IsByRef || type.IsPointer || type.IsByRefLike || type == typeof(void)
            ? throw new InvalidDataException($"Malformed message: {type} cannot be a node's type argument.")
            : type;
    }
}
