using System.Buffers;
using Nerdbank.MessagePack;
using Tessera.Distributed.Comm;
using Tessera.Distributed.Scheduler;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

namespace Tessera.Distributed.Protocol;

/// <summary>
/// Encodes control messages as MessagePack arrays: <c>[op, field, field, …]</c>. Keys are written as
/// in values (<see cref="TesseraSerializer.WriteKey"/>): the name, or <c>[name, index…]</c>. Hand-written
/// rather than reflection-based, because every task passes through it several times.
/// </summary>
internal static class MessageCodec
{
    /// <summary>
    /// Values of <see cref="Data"/> with buffers of at least this many bytes travel out of band when the transport
    /// can carry buffers: the size from which the transport writes a buffer without copying it into its pipe.
    /// </summary>
    public const int OutOfBandBytes = FramedConnection.DirectThreshold;

    public static byte[] Encode(Message message) => Encode(message, null);

    /// <summary>
    /// Encodes a message; with <paramref name="buffers"/>, the large buffers of <see cref="Data"/> values
    /// are not copied into the header but added there, for the transport to send as frames of their own.
    /// </summary>
    public static byte[] Encode(Message message, List<ReadOnlyMemory<byte>>? buffers)
    {
        ArrayBufferWriter<byte> buffer = ScratchBuffer.Rent();
        try
        {
            Write(buffer, message, buffers);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ScratchBuffer.Return(buffer);
        }
    }

    public static void Write(IBufferWriter<byte> output, Message message, List<ReadOnlyMemory<byte>>? buffers = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var w = new MessagePackWriter(output);
        switch (message)
        {
            case RegisterClient m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                w.Write(m.ClientId);
                break;
            case RegisterWorker m:
                w.WriteArrayHeader(7);
                w.Write((byte)m.Op);
                w.Write(m.Address);
                w.Write(m.Threads);
                w.Write(m.MemoryLimit);
                w.Write(m.Name);
                WriteResources(ref w, m.Resources);
                w.Write(m.OwnsProcess);
                break;
            case Welcome m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.SchedulerId);
                w.Write(m.Session);
                break;
            case UpdateGraph m:
                w.WriteArrayHeader(m.Functions is null ? 3 : 5);
                w.Write((byte)m.Op);
                w.WriteArrayHeader(m.Tasks.Length);
                foreach (WireTask t in m.Tasks)
                {
                    w.WriteArrayHeader(t.Restrictions is null ? 5 : 6);
                    WriteKey(ref w, t.Key);
                    w.Write(t.Spec);
                    WriteKeys(ref w, t.Dependencies);
                    w.Write(t.Order);
                    w.Write(t.Retries);
                    if (t.Restrictions is { } r)
                    {
                        w.WriteArrayHeader(3);
                        WriteStrings(ref w, r.Workers);
                        w.Write(r.AllowOtherWorkers);
                        WriteResources(ref w, r.Resources);
                    }
                }

                WriteKeys(ref w, m.Wanted);
                if (m.Functions is { } functions)
                {
                    WriteByteArrays(ref w, functions);
                    WriteHashes(ref w, m.FunctionHashes ?? throw new InvalidOperationException("UpdateGraph: a function table without its hashes."));
                }

                break;
            case ShipFunctions m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.Session);
                WriteByteArrays(ref w, m.Payloads);
                WriteHashes(ref w, m.Hashes);
                break;
            case ReleaseKeys m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                WriteKeys(ref w, m.Keys);
                break;
            case KeyInMemory m:
                // The inline value is a trailing field, written only when there is one.
                w.WriteArrayHeader(m.Value is null ? 4 : 5);
                w.Write((byte)m.Op);
                WriteKey(ref w, m.Key);
                WriteStrings(ref w, m.WhoHas);
                w.Write(m.NBytes);
                if (m.Value is not null)
                {
                    w.Write(m.Value);
                }

                break;
            case KeyErred m:
                w.WriteArrayHeader(4);
                w.Write((byte)m.Op);
                WriteKey(ref w, m.Key);
                WriteKey(ref w, m.ErredOn);
                WriteError(ref w, m.Error);
                break;
            case ComputeTask m:
                w.WriteArrayHeader(10);
                w.Write((byte)m.Op);
                WriteKey(ref w, m.Key);
                w.Write(m.Spec);
                WriteLocations(ref w, m.Dependencies);
                w.Write(m.Priority);
                w.Write(m.Session);
                WriteResources(ref w, m.Resources);
                w.Write(m.RunId);
                WriteOptionalKeys(ref w, m.DependentsAfter);
                w.Write(m.FreesInputs);
                break;
            case FreeKeys m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                WriteKeys(ref w, m.Keys);
                break;
            case Restart m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                w.Write(m.TimeoutSeconds);
                break;
            case RestartDone m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteOptionalError(ref w, m.Error);
                break;
            case ClusterRestarted or RestartWorker:
                w.WriteArrayHeader(1);
                w.Write((byte)message.Op);
                break;
            case AddKeys m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                WriteKeys(ref w, m.Keys);
                break;
            case TaskFinished m:
                w.WriteArrayHeader(m.Value is null ? 5 : 6);
                w.Write((byte)m.Op);
                WriteKey(ref w, m.Key);
                w.Write(m.NBytes);
                w.Write(m.DurationSeconds);
                w.Write(m.RunId);
                if (m.Value is not null)
                {
                    w.Write(m.Value);
                }

                break;
            case TaskErred m:
                w.WriteArrayHeader(4);
                w.Write((byte)m.Op);
                WriteKey(ref w, m.Key);
                WriteError(ref w, m.Error);
                w.Write(m.RunId);
                break;
            case GetData m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteKeys(ref w, m.Keys);
                break;
            case Data m:
                w.WriteArrayHeader(6);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteKeys(ref w, m.Keys);
                w.WriteArrayHeader(m.Values.Length);
                foreach (SerializedMessage v in m.Values)
                {
                    WriteValue(ref w, v, buffers);
                }

                WriteKeys(ref w, m.Missing);
                WriteOptionalError(ref w, m.Error);
                break;
            case StealRequest m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                WriteKey(ref w, m.Key);
                w.Write(m.RunId);
                break;
            case StealResponse m:
                w.WriteArrayHeader(4);
                w.Write((byte)m.Op);
                WriteKey(ref w, m.Key);
                w.Write(m.RunId);
                w.Write(m.Stolen);
                break;
            case Heartbeat m:
                w.WriteArrayHeader(12);
                w.Write((byte)m.Op);
                w.Write(m.Executing);
                w.Write(m.StoredBytes);
                w.Write(m.MemoryBytes);
                w.Write(m.Transfers.KeysIn);
                w.Write(m.Transfers.BytesIn);
                w.Write(m.Transfers.KeysOut);
                w.Write(m.Transfers.BytesOut);
                if (m.Logs is null)
                {
                    w.WriteNil();
                }
                else
                {
                    w.WriteArrayHeader(m.Logs.Length);
                    foreach (WorkerLogLine line in m.Logs)
                    {
                        w.WriteArrayHeader(3);
                        w.Write(line.UnixMilliseconds);
                        w.Write((byte)line.Level);
                        w.Write(line.Message);
                    }
                }

                w.Write(m.CpuPercent);
                w.Write(m.SpilledBytes);
                WriteStreamEvents(ref w, m.Events);
                break;
            case Close m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                w.Write(m.Reason);
                break;
            case FireAndForget m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                WriteKeys(ref w, m.Keys);
                break;
            case GetTaskStream m:
                w.WriteArrayHeader(5);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                w.Write(m.Since);
                w.Write(m.Limit);
                w.Write(m.Moves);
                break;
            case TaskStream m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                w.WriteArrayHeader(m.Records.Length);
                foreach (TaskStreamRecord record in m.Records)
                {
                    // A task run has 7 fields; a transfer or disk record 4 more.
                    bool compute = record.Kind == TaskStreamKind.Compute;
                    w.WriteArrayHeader(compute ? 7 : 11);
                    w.Write(record.Sequence);
                    w.Write(record.Worker);
                    w.Write(record.Thread);
                    w.Write(record.Key);
                    w.Write(record.Prefix);
                    w.Write(record.Start);
                    w.Write(record.Stop);
                    if (!compute)
                    {
                        w.Write((byte)record.Kind);
                        w.Write(record.Peer); // nil when null
                        w.Write(record.Bytes);
                        w.Write(record.KeyCount);
                    }
                }

                break;
            case GetWorkers m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                break;
            case WorkerList m:
                w.WriteArrayHeader(4);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteStrings(ref w, m.Addresses);
                w.WriteArrayHeader(m.Threads.Length);
                foreach (int t in m.Threads)
                {
                    w.Write(t);
                }

                break;
            case UpdateData m:
                w.WriteArrayHeader(5);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteKeys(ref w, m.Keys);
                w.WriteArrayHeader(m.Values.Length);
                foreach (byte[] v in m.Values)
                {
                    w.Write(v);
                }

                w.Write(m.Session);
                break;
            case DataStored m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteOptionalError(ref w, m.Error);
                break;
            case ScatteredKeys m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                WriteLocations(ref w, m.Locations);
                break;
            case RunFunction m:
                w.WriteArrayHeader(4);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                w.Write(m.Spec);
                w.Write(m.Session);
                break;
            case RunResult m:
                w.WriteArrayHeader(4);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                if (m.Value is null)
                {
                    w.WriteNil();
                }
                else
                {
                    w.Write(m.Value);
                }

                WriteOptionalError(ref w, m.Error);
                break;
            case UploadCode m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteAssemblies(ref w, m.Assemblies);
                break;
            case CodeUploaded m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteOptionalError(ref w, m.Error);
                break;
            case LoadCode m:
                w.WriteArrayHeader(5);
                w.Write((byte)m.Op);
                w.Write(m.UploadId);
                w.Write(m.Session);
                w.Write(m.ClientId);
                WriteAssemblies(ref w, m.Assemblies);
                break;
            case CodeLoaded m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.UploadId);
                WriteOptionalError(ref w, m.Error);
                break;
            case EndSession m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                w.Write(m.Session);
                break;
            case RetireWorkers m:
                w.WriteArrayHeader(4);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteStrings(ref w, m.Workers);
                w.Write(m.Count);
                break;
            case ReplicateKeys m:
                w.WriteArrayHeader(4);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteKeys(ref w, m.Keys);
                w.Write(m.Copies);
                break;
            case RebalanceKeys m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteKeys(ref w, m.Keys);
                break;
            case MoveDone m:
                w.WriteArrayHeader(5);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                w.Write(m.Copies);
                WriteStrings(ref w, m.Retired);
                WriteOptionalError(ref w, m.Error);
                break;
            case AcquireReplicas m:
                w.WriteArrayHeader(5);
                w.Write((byte)m.Op);
                w.Write(m.MoveId);
                WriteLocations(ref w, m.Keys);
                w.WriteArrayHeader(m.Sessions.Length);
                foreach (int session in m.Sessions)
                {
                    w.Write(session);
                }

                w.Write(m.MessageBytes);
                break;
            case ReplicasAcquired m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.MoveId);
                WriteKeys(ref w, m.Keys);
                break;
            case GetWhoHas m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteKeys(ref w, m.Keys);
                break;
            case WorkerPaused m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                w.Write(m.Paused);
                break;
            case WhoHasList m:
                w.WriteArrayHeader(4);
                w.Write((byte)m.Op);
                w.Write(m.RequestId);
                WriteKeys(ref w, m.Keys);
                w.WriteArrayHeader(m.Workers.Length);
                foreach (string[] holders in m.Workers)
                {
                    WriteStrings(ref w, holders);
                }

                break;
            case RegisterNanny m:
                w.WriteArrayHeader(2);
                w.Write((byte)m.Op);
                w.Write(m.WorkerAddress);
                break;
            case RestartWorkerProcess m:
                w.WriteArrayHeader(3);
                w.Write((byte)m.Op);
                w.Write(m.Reason);
                w.Write(m.ClusterRestart);
                break;
            default:
                throw new ArgumentException($"Message type {message.GetType().Name} has no encoding; add it to MessageCodec.", nameof(message));
        }

        w.Flush();
    }

    public static Message Read(ReadOnlyMemory<byte> bytes) => Read(bytes, []);

    /// <summary>Decodes a message whose large value buffers came as the transport's <paramref name="buffers"/> (see <see cref="Encode(Message, List{ReadOnlyMemory{byte}}?)"/>).</summary>
    public static Message Read(ReadOnlyMemory<byte> bytes, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        var r = new MessagePackReader(bytes);
        int fields = r.ReadArrayHeader();
        var op = (Op)r.ReadByte();
        Message m = op switch
        {
            Op.RegisterClient => new RegisterClient(ReadString(ref r)),
            Op.RegisterWorker => new RegisterWorker(ReadString(ref r), r.ReadInt32(), r.ReadInt64(), ReadString(ref r), ReadResources(ref r), fields > 6 && r.ReadBoolean()),
            Op.Welcome => new Welcome(ReadString(ref r), r.ReadInt32()),
            Op.UpdateGraph => ReadUpdateGraph(ref r, fields),
            Op.ShipFunctions => ReadShipFunctions(ref r),
            Op.ReleaseKeys => new ReleaseKeys(ReadKeys(ref r)),
            Op.KeyInMemory => new KeyInMemory(ReadKey(ref r), ReadStrings(ref r), r.ReadInt64(), fields > 4 ? ReadBytes(ref r) : null),
            Op.KeyErred => new KeyErred(ReadKey(ref r), ReadKey(ref r), ReadError(ref r)),
            Op.ComputeTask => new ComputeTask(ReadKey(ref r), ReadBytes(ref r), ReadLocations(ref r), r.ReadInt64(), r.ReadInt32(), ReadResources(ref r), r.ReadInt64(), ReadOptionalKeys(ref r), r.ReadBoolean()),
            Op.FreeKeys => new FreeKeys(ReadKeys(ref r)),
            Op.AddKeys => new AddKeys(ReadKeys(ref r)),
            Op.Restart => new Restart(r.ReadInt64(), r.ReadDouble()),
            Op.RestartDone => new RestartDone(r.ReadInt64(), ReadOptionalError(ref r)),
            Op.ClusterRestarted => new ClusterRestarted(),
            Op.RestartWorker => new RestartWorker(),
            Op.StealRequest => new StealRequest(ReadKey(ref r), r.ReadInt64()),
            Op.StealResponse => new StealResponse(ReadKey(ref r), r.ReadInt64(), r.ReadBoolean()),
            Op.TaskFinished => new TaskFinished(ReadKey(ref r), r.ReadInt64(), r.ReadDouble(), r.ReadInt64(), fields > 5 ? ReadBytes(ref r) : null),
            Op.TaskErred => new TaskErred(ReadKey(ref r), ReadError(ref r), r.ReadInt64()),
            Op.GetData => new GetData(r.ReadInt64(), ReadKeys(ref r)),
            Op.Data => ReadData(ref r, fields, buffers),
            Op.Heartbeat => new Heartbeat(
                r.ReadInt32(),
                r.ReadInt64(),
                r.ReadInt64(),
                fields > 4 ? new TransferCounts(r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64()) : default,
                fields > 8 ? ReadLogLines(ref r) : null,
                fields > 9 ? r.ReadDouble() : 0,
                fields > 10 ? r.ReadInt64() : 0,
                fields > 11 ? ReadStreamEvents(ref r) : null),
            Op.Close => new Close(ReadString(ref r)),
            Op.FireAndForget => new FireAndForget(ReadKeys(ref r)),
            Op.GetWorkers => new GetWorkers(r.ReadInt64()),
            Op.GetTaskStream => new GetTaskStream(r.ReadInt64(), r.ReadInt64(), r.ReadInt32(), fields > 4 && r.ReadBoolean()),
            Op.TaskStream => new TaskStream(r.ReadInt64(), ReadTaskStreamRecords(ref r)),
            Op.WorkerList => new WorkerList(r.ReadInt64(), ReadStrings(ref r), ReadInts(ref r)),
            Op.UpdateData => new UpdateData(r.ReadInt64(), ReadKeys(ref r), ReadByteArrays(ref r), r.ReadInt32()),
            Op.DataStored => new DataStored(r.ReadInt64(), ReadOptionalError(ref r)),
            Op.ScatteredKeys => new ScatteredKeys(ReadLocations(ref r)),
            Op.RunFunction => new RunFunction(r.ReadInt64(), ReadBytes(ref r), r.ReadInt32()),
            Op.RunResult => new RunResult(r.ReadInt64(), r.TryReadNil() ? null : ReadBytes(ref r), ReadOptionalError(ref r)),
            Op.UploadCode => new UploadCode(r.ReadInt64(), ReadAssemblies(ref r)),
            Op.CodeUploaded => new CodeUploaded(r.ReadInt64(), ReadOptionalError(ref r)),
            Op.LoadCode => new LoadCode(r.ReadInt64(), r.ReadInt32(), ReadString(ref r), ReadAssemblies(ref r)),
            Op.CodeLoaded => new CodeLoaded(r.ReadInt64(), ReadOptionalError(ref r)),
            Op.EndSession => new EndSession(r.ReadInt32()),
            Op.RetireWorkers => new RetireWorkers(r.ReadInt64(), ReadStrings(ref r), r.ReadInt32()),
            Op.ReplicateKeys => new ReplicateKeys(r.ReadInt64(), ReadKeys(ref r), r.ReadInt32()),
            Op.RebalanceKeys => new RebalanceKeys(r.ReadInt64(), ReadKeys(ref r)),
            Op.MoveDone => new MoveDone(r.ReadInt64(), r.ReadInt32(), ReadStrings(ref r), ReadOptionalError(ref r)),
            Op.AcquireReplicas => new AcquireReplicas(r.ReadInt64(), ReadLocations(ref r), ReadInts(ref r), r.ReadInt64()),
            Op.ReplicasAcquired => new ReplicasAcquired(r.ReadInt64(), ReadKeys(ref r)),
            Op.GetWhoHas => new GetWhoHas(r.ReadInt64(), ReadKeys(ref r)),
            Op.WhoHasList => new WhoHasList(r.ReadInt64(), ReadKeys(ref r), ReadStringArrays(ref r)),
            Op.WorkerPaused => new WorkerPaused(r.ReadBoolean()),
            Op.RegisterNanny => new RegisterNanny(ReadString(ref r)),
            Op.RestartWorkerProcess => new RestartWorkerProcess(ReadString(ref r), fields > 2 && r.ReadBoolean()),
            _ => throw new InvalidDataException($"Unknown message operation {(byte)op}; the peer speaks another protocol version."),
        };

        return m;
    }

    // Keys are written as everywhere on the wire (TesseraSerializer.WriteKey): the name, or [name, index…].
    private static void WriteKey(ref MessagePackWriter w, Key key) => TesseraSerializer.WriteKey(ref w, key);

    private static Key ReadKey(ref MessagePackReader r) => DecodeContext.ReadKey(ref r, r.Sequence.Length);

    private static void WriteKeys(ref MessagePackWriter w, Key[] keys)
    {
        w.WriteArrayHeader(keys.Length);
        foreach (Key k in keys)
        {
            WriteKey(ref w, k);
        }
    }

    private static void WriteOptionalKeys(ref MessagePackWriter w, Key[]? keys)
    {
        if (keys is null)
        {
            w.WriteNil();
        }
        else
        {
            WriteKeys(ref w, keys);
        }
    }

    private static Key[]? ReadOptionalKeys(ref MessagePackReader r) => r.TryReadNil() ? null : ReadKeys(ref r);

    private static Key[] ReadKeys(ref MessagePackReader r)
    {
        int n = r.ReadArrayHeader();
        if (n == 0)
        {
            return [];
        }

        var keys = new Key[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = ReadKey(ref r);
        }

        return keys;
    }

    private static void WriteStrings(ref MessagePackWriter w, string[] values)
    {
        w.WriteArrayHeader(values.Length);
        foreach (string s in values)
        {
            w.Write(s);
        }
    }

    private static string[] ReadStrings(ref MessagePackReader r)
    {
        int n = r.ReadArrayHeader();
        var values = new string[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = ReadString(ref r);
        }

        return values;
    }

    private static string[][] ReadStringArrays(ref MessagePackReader r)
    {
        var values = new string[r.ReadArrayHeader()][];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ReadStrings(ref r);
        }

        return values;
    }

    private static string ReadString(ref MessagePackReader r) =>
        r.ReadString() ?? throw new InvalidDataException("A message field that must be a string is nil.");

    private static byte[] ReadBytes(ref MessagePackReader r) => r.ReadBytes()?.ToArray() ?? [];

    private static void WriteError(ref MessagePackWriter w, RemoteError e)
    {
        w.WriteArrayHeader(3);
        w.Write(e.TypeName);
        w.Write(e.Message);
        w.Write(e.StackTrace);
    }

    private static RemoteError ReadError(ref MessagePackReader r)
    {
        r.ReadArrayHeader();
        return new RemoteError(ReadString(ref r), ReadString(ref r), r.ReadString());
    }

    private static void WriteOptionalError(ref MessagePackWriter w, RemoteError? e)
    {
        if (e is null)
        {
            w.WriteNil();
        }
        else
        {
            WriteError(ref w, e);
        }
    }

    private static RemoteError? ReadOptionalError(ref MessagePackReader r) => r.TryReadNil() ? null : ReadError(ref r);

    private static WorkerLogLine[]? ReadLogLines(ref MessagePackReader r)
    {
        if (r.TryReadNil())
        {
            return null;
        }

        var lines = new WorkerLogLine[r.ReadArrayHeader()];
        for (int i = 0; i < lines.Length; i++)
        {
            _ = r.ReadArrayHeader();
            lines[i] = new WorkerLogLine(r.ReadInt64(), (SchedulerLogLevel)r.ReadByte(), ReadString(ref r));
        }

        return lines;
    }

    private static void WriteStreamEvents(ref MessagePackWriter w, WorkerStreamEvent[]? events)
    {
        if (events is null)
        {
            w.WriteNil();
            return;
        }

        w.WriteArrayHeader(events.Length);
        foreach (WorkerStreamEvent e in events)
        {
            w.WriteArrayHeader(7);
            w.Write((byte)e.Kind);
            WriteKey(ref w, e.Key);
            w.Write(e.KeyCount);
            w.Write(e.Bytes);
            w.Write(e.Peer); // nil when null
            w.Write(e.StopAgoSeconds);
            w.Write(e.DurationSeconds);
        }
    }

    private static WorkerStreamEvent[]? ReadStreamEvents(ref MessagePackReader r)
    {
        if (r.TryReadNil())
        {
            return null;
        }

        var events = new WorkerStreamEvent[r.ReadArrayHeader()];
        for (int i = 0; i < events.Length; i++)
        {
            _ = r.ReadArrayHeader();
            events[i] = new WorkerStreamEvent(ReadStreamKind(ref r), ReadKey(ref r), r.ReadInt32(), r.ReadInt64(), r.ReadString(), r.ReadDouble(), r.ReadDouble());
        }

        return events;
    }

    private static TaskStreamKind ReadStreamKind(ref MessagePackReader r)
    {
        byte kind = r.ReadByte();
        return Enum.IsDefined((TaskStreamKind)kind) ? (TaskStreamKind)kind
            : throw new InvalidDataException($"Unknown task stream record kind {kind}; the peer speaks another protocol version.");
    }

    private static TaskStreamRecord[] ReadTaskStreamRecords(ref MessagePackReader r)
    {
        var records = new TaskStreamRecord[r.ReadArrayHeader()];
        for (int i = 0; i < records.Length; i++)
        {
            int fields = r.ReadArrayHeader();
            records[i] = new TaskStreamRecord(r.ReadInt64(), ReadString(ref r), r.ReadInt32(), ReadString(ref r), ReadString(ref r), r.ReadDouble(), r.ReadDouble());
            if (fields > 7)
            {
                records[i] = records[i] with { Kind = ReadStreamKind(ref r), Peer = r.ReadString(), Bytes = r.ReadInt64(), KeyCount = r.ReadInt32() };
            }
        }

        return records;
    }

    private static UpdateGraph ReadUpdateGraph(ref MessagePackReader r, int fields)
    {
        var m = new UpdateGraph(ReadWireTasks(ref r), ReadKeys(ref r));
        if (fields <= 3)
        {
            return m;
        }

        byte[][] payloads = ReadByteArrays(ref r);
        return m with { Functions = payloads, FunctionHashes = ReadHashes(ref r, payloads.Length) };
    }

    private static ShipFunctions ReadShipFunctions(ref MessagePackReader r)
    {
        int session = r.ReadInt32();
        byte[][] payloads = ReadByteArrays(ref r);
        return new ShipFunctions(session, payloads, ReadHashes(ref r, payloads.Length));
    }

    // Content hashes, two unsigned 64-bit halves each: as many as the payloads they go with.
    private static void WriteHashes(ref MessagePackWriter w, UInt128[] hashes)
    {
        w.WriteArrayHeader(hashes.Length * 2);
        foreach (UInt128 h in hashes)
        {
            w.Write((ulong)(h >> 64));
            w.Write((ulong)h);
        }
    }

    private static UInt128[] ReadHashes(ref MessagePackReader r, int payloads)
    {
        int n = r.ReadArrayHeader();
        if (n != 2 * payloads)
        {
            throw new InvalidDataException($"Malformed message: {n / 2} function hashes for {payloads} payloads.");
        }

        var hashes = new UInt128[n / 2];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i] = new UInt128(r.ReadUInt64(), r.ReadUInt64());
        }

        return hashes;
    }

    private static int[] ReadInts(ref MessagePackReader r)
    {
        int n = r.ReadArrayHeader();
        var values = new int[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = r.ReadInt32();
        }

        return values;
    }

    // A serialized value: in one block (a bin holding what SerializedMessage.ToArray makes), or, where the
    // transport carries buffers and the value has large ones, as [header, buffer index...] with those
    // buffers (aliasing the value's arrays) handed to the transport: no copy of the block on this side.
    private static void WriteValue(ref MessagePackWriter w, SerializedMessage value, List<ReadOnlyMemory<byte>>? buffers)
    {
        if (buffers is null || !HasLargeBuffer(value))
        {
            // The bin ToArray would make, copied straight into the output.
            int length = value.GetBlockLength();
            w.WriteBinHeader(length);
            value.CopyTo(w.GetSpan(length));
            w.Advance(length);
            return;
        }

        w.WriteArrayHeader(1 + value.Buffers.Count);
        w.Write(value.Header.Span);
        foreach (ReadOnlyMemory<byte> b in value.Buffers)
        {
            w.Write(buffers.Count);
            buffers.Add(b);
        }
    }

    private static bool HasLargeBuffer(SerializedMessage value)
    {
        foreach (ReadOnlyMemory<byte> b in value.Buffers)
        {
            if (b.Length >= OutOfBandBytes)
            {
                return true;
            }
        }

        return false;
    }

    private static SerializedMessage ReadValue(ref MessagePackReader r, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        if (r.NextMessagePackType != MessagePackType.Array)
        {
            return SerializedMessage.FromArray(ReadBytes(ref r));
        }

        int count = r.ReadArrayHeader() - 1;
        if (count < 0)
        {
            throw new InvalidDataException("An out-of-band value has no header; the peer speaks another protocol version.");
        }

        byte[] header = ReadBytes(ref r);
        var parts = new ReadOnlyMemory<byte>[count];
        for (int i = 0; i < count; i++)
        {
            int index = r.ReadInt32();
            parts[i] = (uint)index < (uint)buffers.Count ? buffers[index]
                : throw new InvalidDataException($"A value refers to buffer {index}, but the message came with {buffers.Count}.");
        }

        return new SerializedMessage(header, parts);
    }

    private static void WriteByteArrays(ref MessagePackWriter w, byte[][] values)
    {
        w.WriteArrayHeader(values.Length);
        foreach (byte[] v in values)
        {
            w.Write(v);
        }
    }

    private static byte[][] ReadByteArrays(ref MessagePackReader r)
    {
        int n = r.ReadArrayHeader();
        var values = new byte[n][];
        for (int i = 0; i < n; i++)
        {
            values[i] = ReadBytes(ref r);
        }

        return values;
    }

    private static void WriteLocations(ref MessagePackWriter w, DependencyLocation[] locations)
    {
        w.WriteArrayHeader(locations.Length);
        foreach (DependencyLocation d in locations)
        {
            w.WriteArrayHeader(3);
            WriteKey(ref w, d.Key);
            WriteStrings(ref w, d.WhoHas);
            w.Write(d.NBytes);
        }
    }

    private static WireTask[] ReadWireTasks(ref MessagePackReader r)
    {
        int n = r.ReadArrayHeader();
        var tasks = new WireTask[n];
        string? lastName = null;
        for (int i = 0; i < n; i++)
        {
            int fields = r.ReadArrayHeader();
            Key key = ReadKey(ref r);

            // Tasks of one layer share a name: share the string too, as the scheduler keeps every key.
            if (string.Equals(key.Name, lastName, StringComparison.Ordinal))
            {
                key = key.WithName(lastName!);
            }
            else
            {
                lastName = key.Name;
            }

            tasks[i] = new WireTask(key, ReadBytes(ref r), ReadKeys(ref r), r.ReadInt32(), r.ReadInt32());
            if (fields > 5)
            {
                r.ReadArrayHeader();
                tasks[i] = tasks[i] with { Restrictions = new TaskRestrictions(ReadStrings(ref r), r.ReadBoolean(), ReadResources(ref r) ?? []) };
            }
        }

        return tasks;
    }

    private static DependencyLocation[] ReadLocations(ref MessagePackReader r)
    {
        int n = r.ReadArrayHeader();
        var deps = new DependencyLocation[n];
        for (int i = 0; i < n; i++)
        {
            r.ReadArrayHeader();
            deps[i] = new DependencyLocation(ReadKey(ref r), ReadStrings(ref r), r.ReadInt64());
        }

        return deps;
    }

    // Resources travel as [[name, amount]…], or nil for none.
    private static void WriteResources(ref MessagePackWriter w, ResourceAmount[]? resources)
    {
        if (resources is null)
        {
            w.WriteNil();
            return;
        }

        w.WriteArrayHeader(resources.Length);
        foreach (ResourceAmount a in resources)
        {
            w.WriteArrayHeader(2);
            w.Write(a.Name);
            w.Write(a.Amount);
        }
    }

    private static ResourceAmount[]? ReadResources(ref MessagePackReader r)
    {
        if (r.TryReadNil())
        {
            return null;
        }

        int n = r.ReadArrayHeader();
        var resources = new ResourceAmount[n];
        for (int i = 0; i < n; i++)
        {
            r.ReadArrayHeader();
            resources[i] = new ResourceAmount(ReadString(ref r), r.ReadDouble());
        }

        return resources;
    }

    // An assembly travels as [name, MVID (16 bytes), SHA-256 (32 bytes), file bytes].
    private static void WriteAssemblies(ref MessagePackWriter w, ShippedAssembly[] assemblies)
    {
        w.WriteArrayHeader(assemblies.Length);
        Span<byte> mvid = stackalloc byte[16];
        foreach (ShippedAssembly a in assemblies)
        {
            w.WriteArrayHeader(4);
            w.Write(a.Name);
            a.Mvid.TryWriteBytes(mvid);
            w.Write(mvid);
            w.Write(a.Sha256.Span);
            w.Write(a.Bytes.Span);
        }
    }

    private static ShippedAssembly[] ReadAssemblies(ref MessagePackReader r)
    {
        int n = r.ReadArrayHeader();
        var assemblies = new ShippedAssembly[n];
        for (int i = 0; i < n; i++)
        {
            if (r.ReadArrayHeader() != 4)
            {
                throw new InvalidDataException("An uploaded assembly is [name, mvid, sha256, bytes].");
            }

            string name = ReadString(ref r);
            byte[] mvid = ReadBytes(ref r);
            if (mvid.Length != 16)
            {
                throw new InvalidDataException($"The MVID of uploaded assembly '{name}' is {mvid.Length} bytes, not 16.");
            }

            byte[] sha = ReadBytes(ref r);
            if (sha.Length != System.Security.Cryptography.SHA256.HashSizeInBytes)
            {
                throw new InvalidDataException($"The SHA-256 hash of uploaded assembly '{name}' is {sha.Length} bytes, not 32.");
            }

            assemblies[i] = new ShippedAssembly(name, new Guid(mvid), sha, ReadBytes(ref r));
        }

        return assemblies;
    }

    private static Data ReadData(ref MessagePackReader r, int fields, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        long id = r.ReadInt64();
        Key[] keys = ReadKeys(ref r);
        var values = new SerializedMessage[r.ReadArrayHeader()];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ReadValue(ref r, buffers);
        }

        Key[] missing = ReadKeys(ref r);
        return new Data(id, keys, values, missing, fields > 5 ? ReadOptionalError(ref r) : null);
    }
}
