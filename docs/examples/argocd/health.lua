-- Argo CD health check for envmirror.io/MirrorEnvironment (see argocd-cm.yaml).
-- It reads the kstatus conditions the operator reports: Stalled=True is Degraded (the spec
-- must change), Ready=True is Healthy, anything else is Progressing with Ready's message; a
-- status older than the spec is Progressing until the operator has seen the change.
local hs = {status = "Progressing", message = "Waiting for the envmirror operator"}
if obj.status == nil then
  return hs
end

local function condition(type)
  if obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local generation = obj.metadata.generation or 0
if (obj.status.observedGeneration or 0) < generation then
  hs.message = "Waiting for the envmirror operator to reconcile generation " .. generation
  return hs
end

local phase = obj.status.phase or "Pending"
local ready = condition("Ready")
local stalled = condition("Stalled")
local message = phase
if ready ~= nil and ready.message ~= nil and ready.message ~= "" then
  message = phase .. ": " .. ready.message
end

if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = (stalled.reason or "Stalled") .. ": " .. (stalled.message or "")
elseif ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = message
elseif phase == "Failed" or phase == "Degraded" then
  hs.status = "Degraded"
  hs.message = message
  if ready ~= nil and ready.reason ~= nil then
    hs.message = phase .. " (" .. ready.reason .. "): " .. (ready.message or "")
  end
else
  -- Pending, Provisioning, Seeding, Expiring, Deleting: work in progress.
  hs.message = message
end
return hs
